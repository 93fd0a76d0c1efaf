#ifndef VOICEGATE_CALSA_SHIM_H
#define VOICEGATE_CALSA_SHIM_H
/* alsa-lib for the `voicegate console` sound-card driver. Swift cannot define a C variadic
 * function, so the silent error handler (alsa-lib otherwise prints its own "ALSA lib ..."
 * lines on stderr next to our clearer message) lives here as a prefixed static wrapper. */
#include <alsa/asoundlib.h>

static void vg_alsa_ignore_error(const char *file, int line, const char *function, int err,
                                 const char *fmt, ...) {
    (void)file; (void)line; (void)function; (void)err; (void)fmt;
}

/* Stops alsa-lib printing its own diagnostics; errors still come back as return codes. */
static inline int vg_alsa_silence_library_errors(void) {
    return snd_lib_error_set_handler(vg_alsa_ignore_error);
}
#endif
