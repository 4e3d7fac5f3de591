# Part of the attn-mlir project.
"""attn.reference - float64 numpy references of every op of docs/Spec.md.

The implementations are utils/attn_reference.py, which the build copies into
the package as attn/_attn_reference.py (the one numpy reference that the
tests, the demo and bench/ share; it shares no code with the compiler).
This module re-exports it under the ops' names:

  attention(q, k, v, mask=None, *, scale=, causal=, softcap=)      (1.1)
  sliding_window_attention(q, k, v, mask=None, *, window=, chunk=,
                           causal=, scale=, softcap=)              (1.2)
  compose(a, static=, query_weights=, key_weights=, query_gate=,
          key_gate=)                                               (1.3)
  dcmha(q, k, v, pre=, post=, *, scale=, causal=, window=)         (1.4)
  deformable_sample(input, grid, *, align_corners=, padding_mode=) (1.5)
  ms_deform_attn(value, loc, weights, spatial_shapes)              (1.6)

and the helpers under their own names (sdpa, grid_sample_cl, visibility,
attention_flops, error_rule, ...). Every function computes in float64
unless given `dtype=` (the naive baseline of docs/Spec.md section 4).
"""

from ._attn_reference import *  # noqa: F401,F403
from ._attn_reference import grid_sample_cl, sdpa

attention = sdpa
sliding_window_attention = sdpa
deformable_sample = grid_sample_cl
