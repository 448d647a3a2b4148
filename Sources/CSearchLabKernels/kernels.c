// Every element is computed by the same IEEE operations in the same order whatever the vector
// width: no fused multiply-add (contraction is off) and no cross-lane sums. So the AVX-512,
// AVX2 and SSE2 clones return bit-identical results, and a run's numbers do not depend on
// which one the machine picks.
//
// GELU forward may run in place (out == inp): each element is read before it is written.
#include "searchlab_kernels.h"

#include <stdint.h>
#include <string.h>

#pragma clang fp contract(off)

#if defined(__x86_64__) && defined(__clang__)
#define SEARCHLAB_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SEARCHLAB_CLONES
#endif

static const float gelu_scale = 0.7978845608028654f;  // √(2/π)

// e^x, relative error below 2e-7: n = round(x / ln 2) by the 1.5·2^23 trick, r = x − n·ln 2 in
// two parts (Cody–Waite), a degree-7 Taylor polynomial of e^r, then 2^n into the exponent.
static inline float exp_approx(float x) {
    x = x < -87.3f ? -87.3f : x;
    x = x > 88.37f ? 88.37f : x;
    const float magic = 12582912.0f;
    float shifted = x * 1.44269504f + magic;
    float n = shifted - magic;
    float r = x - n * 0.693145751953125f - n * 1.428606765330187e-6f;
    float p = 1.0f / 5040;
    p = p * r + 1.0f / 720;
    p = p * r + 1.0f / 120;
    p = p * r + 1.0f / 24;
    p = p * r + 1.0f / 6;
    p = p * r + 0.5f;
    p = p * r + 1;
    p = p * r + 1;
    int32_t shifted_bits, magic_bits;
    memcpy(&shifted_bits, &shifted, 4);
    memcpy(&magic_bits, &magic, 4);
    int32_t scale_bits = (int32_t)((uint32_t)(shifted_bits - magic_bits + 127) << 23);
    float scale;
    memcpy(&scale, &scale_bits, 4);
    return p * scale;
}

// tanh(u), absolute error below 2e-7; tanh(10) already rounds to 1 in float.
static inline float tanh_approx(float u) {
    float a = u < 0 ? -u : u;
    a = a > 10 ? 10 : a;
    float t = 1 - 2 / (exp_approx(2 * a) + 1);
    return u < 0 ? -t : t;
}

SEARCHLAB_CLONES
void searchlab_gelu_forward(float *out, const float *inp, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float x = inp[i];
        float inner = x + 0.044715f * x * x * x;
        float th = tanh_approx(gelu_scale * inner);
        out[i] = 0.5f * x * (1 + th);
    }
}

SEARCHLAB_CLONES
void searchlab_gelu_backward(float *restrict dinp, const float *restrict inp, const float *restrict dout, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float x = inp[i];
        float inner = x + 0.044715f * x * x * x;
        float th = tanh_approx(gelu_scale * inner);
        float sech2 = 1 - th * th;
        float slope = gelu_scale * (1 + 3 * 0.044715f * x * x);
        float local = 0.5f * (1 + th) + 0.5f * x * sech2 * slope;
        dinp[i] = dinp[i] + local * dout[i];
    }
}
