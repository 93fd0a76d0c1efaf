#ifndef VOICEGATE_CESPEAKNG_SHIM_H
#define VOICEGATE_CESPEAKNG_SHIM_H
/* libespeak-ng's synthesis API (speak_lib.h) plus the espeak_ng_* initialisation calls. */
#include <espeak-ng/speak_lib.h>
#include <espeak-ng/espeak_ng.h>
#endif
