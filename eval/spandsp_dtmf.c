/* spandsp_dtmf: the DTMF anchor for eval/dtmf_eval.py and `make bench`.
 *
 *   spandsp_dtmf [-t FWD_TWIST_DB] [-r REV_TWIST_DB] [-l THRESHOLD_DBM0] FILE.wav...
 *       prints one line per file: "<file>\t<digits>" (digits may be empty)
 *   spandsp_dtmf [options] --bench N FILE.wav...
 *       runs dtmf_rx over all files N times in 160-sample (20 ms) chunks and prints
 *       "ns_per_20ms_frame <value>" on stdout.
 *
 * Without -t/-r/-l spandsp's own defaults are used. Input: 8 kHz mono 16-bit PCM WAV
 * (the corpus format); anything else is an error on stderr naming the file.
 * Build: gcc -O2 -o eval/out/spandsp_dtmf eval/spandsp_dtmf.c $(pkg-config --cflags --libs spandsp)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <spandsp.h>

static int16_t *read_wav(const char *path, size_t *count) {
    FILE *f = fopen(path, "rb");
    if (!f) { fprintf(stderr, "spandsp_dtmf: %s: cannot open\n", path); return NULL; }
    unsigned char hdr[12];
    if (fread(hdr, 1, 12, f) != 12 || memcmp(hdr, "RIFF", 4) || memcmp(hdr + 8, "WAVE", 4)) {
        fprintf(stderr, "spandsp_dtmf: %s: not a RIFF/WAVE file\n", path); fclose(f); return NULL;
    }
    int fmt_ok = 0;
    unsigned char ch[8];
    while (fread(ch, 1, 8, f) == 8) {
        uint32_t size = ch[4] | ch[5] << 8 | ch[6] << 16 | (uint32_t) ch[7] << 24;
        if (!memcmp(ch, "fmt ", 4)) {
            unsigned char fmt[16];
            if (size < 16 || fread(fmt, 1, 16, f) != 16) break;
            int tag = fmt[0] | fmt[1] << 8, chans = fmt[2] | fmt[3] << 8, bits = fmt[14] | fmt[15] << 8;
            uint32_t rate = fmt[4] | fmt[5] << 8 | fmt[6] << 16 | (uint32_t) fmt[7] << 24;
            if (tag != 1 || chans != 1 || bits != 16 || rate != 8000) {
                fprintf(stderr, "spandsp_dtmf: %s: need 8 kHz mono PCM16 (tag %d, %d ch, %u Hz, %d bit)\n",
                        path, tag, chans, rate, bits);
                fclose(f); return NULL;
            }
            fmt_ok = 1;
            fseek(f, (long) (size - 16 + (size & 1)), SEEK_CUR);
        } else if (!memcmp(ch, "data", 4)) {
            if (!fmt_ok) break;
            int16_t *buf = malloc(size + 2);
            size_t got = fread(buf, 1, size, f);
            fclose(f);
            *count = got / 2;
            return buf;  /* little-endian host assumed (x86/arm64 Linux) */
        } else {
            fseek(f, (long) (size + (size & 1)), SEEK_CUR);
        }
    }
    fprintf(stderr, "spandsp_dtmf: %s: no usable fmt/data chunk\n", path);
    fclose(f);
    return NULL;
}

static dtmf_rx_state_t *make_rx(int twist, int rtwist, int threshold) {
    dtmf_rx_state_t *rx = dtmf_rx_init(NULL, NULL, NULL);
    dtmf_rx_parms(rx, -1, twist, rtwist, threshold);
    return rx;
}

int main(int argc, char **argv) {
    int twist = -1, rtwist = -1, threshold = -99, bench = 0, first = 1, failed = 0;
    for (; first < argc && argv[first][0] == '-'; first++) {
        if (!strcmp(argv[first], "-t") && first + 1 < argc) twist = atoi(argv[++first]);
        else if (!strcmp(argv[first], "-r") && first + 1 < argc) rtwist = atoi(argv[++first]);
        else if (!strcmp(argv[first], "-l") && first + 1 < argc) threshold = atoi(argv[++first]);
        else if (!strcmp(argv[first], "--bench") && first + 1 < argc) bench = atoi(argv[++first]);
        else { fprintf(stderr, "usage: spandsp_dtmf [-t dB] [-r dB] [-l dBm0] [--bench N] FILE.wav...\n"); return 2; }
    }
    int nfiles = argc - first;
    int16_t **audio = calloc(nfiles > 0 ? nfiles : 1, sizeof *audio);
    size_t *lens = calloc(nfiles > 0 ? nfiles : 1, sizeof *lens);
    for (int i = 0; i < nfiles; i++) {
        audio[i] = read_wav(argv[first + i], &lens[i]);
        if (!audio[i]) failed = 1;
    }
    if (bench > 0) {
        struct timespec t0, t1;
        long frames = 0;
        dtmf_rx_state_t *rx = make_rx(twist, rtwist, threshold);
        char sink[128];
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (int r = 0; r < bench; r++)
            for (int i = 0; i < nfiles; i++) {
                if (!audio[i]) continue;
                for (size_t off = 0; off + 160 <= lens[i]; off += 160) {
                    dtmf_rx(rx, audio[i] + off, 160);
                    frames++;
                }
                dtmf_rx_get(rx, sink, sizeof sink - 1);
            }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double ns = (t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec);
        printf("ns_per_20ms_frame %.1f\nframes %ld\n", frames ? ns / frames : 0.0, frames);
        dtmf_rx_free(rx);
    } else {
        for (int i = 0; i < nfiles; i++) {
            if (!audio[i]) continue;
            dtmf_rx_state_t *rx = make_rx(twist, rtwist, threshold);
            char digits[1024] = "";
            size_t n = 0;
            for (size_t off = 0; off < lens[i]; off += 160) {
                int len = lens[i] - off < 160 ? (int) (lens[i] - off) : 160;
                dtmf_rx(rx, audio[i] + off, len);
                n += dtmf_rx_get(rx, digits + n, (int) (sizeof digits - 1 - n));
            }
            /* flush: half a second of silence lets the last digit finish */
            int16_t zeros[160] = {0};
            for (int k = 0; k < 25; k++) {
                dtmf_rx(rx, zeros, 160);
                n += dtmf_rx_get(rx, digits + n, (int) (sizeof digits - 1 - n));
            }
            digits[n] = 0;
            printf("%s\t%s\n", argv[first + i], digits);
            dtmf_rx_free(rx);
        }
    }
    for (int i = 0; i < nfiles; i++) free(audio[i]);
    free(audio); free(lens);
    return failed ? 1 : 0;
}
