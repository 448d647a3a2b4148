// Elementwise kernels in C, compiled once per vector width (SSE2, AVX2, AVX-512) and picked at
// load time: Swift has no per-function target attributes, and its SIMD8 code ran GELU at a
// quarter of what AVX-512 does here.
#ifndef SEARCHLAB_KERNELS_H
#define SEARCHLAB_KERNELS_H

#include <stddef.h>

/// out[i] = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), x = inp[i] (GPT-2's tanh GELU).
void searchlab_gelu_forward(float *out, const float *inp, size_t count);

/// dinp[i] += GELU'(inp[i]) · dout[i].
void searchlab_gelu_backward(float *dinp, const float *inp, const float *dout, size_t count);

#endif
