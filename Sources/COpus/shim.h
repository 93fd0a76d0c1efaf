#ifndef VOICEGATE_COPUS_SHIM_H
#define VOICEGATE_COPUS_SHIM_H
/* libopus's ctl calls are variadic macros that Swift cannot import; these prefixed
 * static inline wrappers give each one we use a typed signature. */
#include <opus/opus.h>

static inline int vg_opus_encoder_set_bitrate(OpusEncoder *st, opus_int32 bps) {
    return opus_encoder_ctl(st, OPUS_SET_BITRATE(bps));
}
static inline int vg_opus_encoder_set_complexity(OpusEncoder *st, opus_int32 c) {
    return opus_encoder_ctl(st, OPUS_SET_COMPLEXITY(c));
}
static inline int vg_opus_encoder_set_inband_fec(OpusEncoder *st, opus_int32 on) {
    return opus_encoder_ctl(st, OPUS_SET_INBAND_FEC(on));
}
static inline int vg_opus_encoder_set_packet_loss_perc(OpusEncoder *st, opus_int32 pct) {
    return opus_encoder_ctl(st, OPUS_SET_PACKET_LOSS_PERC(pct));
}
static inline int vg_opus_encoder_set_dtx(OpusEncoder *st, opus_int32 on) {
    return opus_encoder_ctl(st, OPUS_SET_DTX(on));
}
static inline int vg_opus_encoder_set_signal_voice(OpusEncoder *st) {
    return opus_encoder_ctl(st, OPUS_SET_SIGNAL(OPUS_SIGNAL_VOICE));
}
static inline int vg_opus_encoder_set_max_bandwidth(OpusEncoder *st, opus_int32 bw) {
    return opus_encoder_ctl(st, OPUS_SET_MAX_BANDWIDTH(bw));
}
static inline int vg_opus_encoder_get_bitrate(OpusEncoder *st, opus_int32 *bps) {
    return opus_encoder_ctl(st, OPUS_GET_BITRATE(bps));
}
static inline int vg_opus_decoder_get_last_packet_duration(OpusDecoder *st, opus_int32 *samples) {
    return opus_decoder_ctl(st, OPUS_GET_LAST_PACKET_DURATION(samples));
}
static inline int vg_opus_decoder_reset(OpusDecoder *st) {
    return opus_decoder_ctl(st, OPUS_RESET_STATE);
}
#endif
