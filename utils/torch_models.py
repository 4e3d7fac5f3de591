# Part of the attn-mlir project.
"""PyTorch modules that the ONNX front end's end-to-end tests
(test/python/onnx-torch-*.py) and bench/e2e_models.py export with
torch.onnx.export (PyTorch 1.13). Written for these tests from the models'
published definitions; random weights.

  MHA(d, h)                   torch.nn.MultiheadAttention, batch_first,
                              self-attention, optional causal mask
  BertLayer(d, h, ff)         torch.nn.TransformerEncoderLayer (post-LN,
                              ReLU, as BERT-base: 768/12/3072) with a key
                              padding mask [B, L] (True = padding)
  ViTBlock(d, h, mlp)         ViT-B/16 pre-LN encoder block (Dosovitskiy et
                              al. 2021): LN -> MHSA (fused qkv Linear,
                              [B, H, N, D] heads, logits * D**-0.5) -> +x ->
                              LN -> Linear -> exact GELU -> Linear -> +x
  MSDeformAttnCore(levels)    Deformable DETR's multi-scale deformable
                              attention core (Zhu et al. 2021, eq. 2) the
                              pure-PyTorch way: grid_sample per level
"""

import io

import torch
import torch.nn.functional as F


class MHA(torch.nn.Module):
    """Self-attention with torch.nn.MultiheadAttention; x [B, L, d]."""

    def __init__(self, d, h, causal=False):
        super().__init__()
        self.mha = torch.nn.MultiheadAttention(d, h, batch_first=True)
        self.causal = causal

    def forward(self, x):
        mask = None
        if self.causal:
            n = x.shape[1]
            mask = torch.triu(torch.full((n, n), float("-inf")), diagonal=1)
        return self.mha(x, x, x, attn_mask=mask, need_weights=False)[0]


class BertLayer(torch.nn.Module):
    """One BERT encoder layer: x [B, L, d], key_padding_mask [B, L] bool
    (True = padded token, as PyTorch's src_key_padding_mask)."""

    def __init__(self, d=768, h=12, ff=3072):
        super().__init__()
        self.layer = torch.nn.TransformerEncoderLayer(d, h, ff,
                                                      batch_first=True)

    def forward(self, x, key_padding_mask):
        return self.layer(x, src_key_padding_mask=key_padding_mask)


class ViTAttention(torch.nn.Module):
    """Multi-head self-attention as ViT writes it: one qkv projection,
    heads as [B, H, N, D], softmax(q k^T * D**-0.5) v."""

    def __init__(self, d, h):
        super().__init__()
        self.h = h
        self.qkv = torch.nn.Linear(d, 3 * d)
        self.proj = torch.nn.Linear(d, d)
        self.scale = (d // h) ** -0.5

    def forward(self, x):
        b, n, c = x.shape
        qkv = self.qkv(x).reshape(b, n, 3, self.h, c // self.h)
        q, k, v = qkv.permute(2, 0, 3, 1, 4).unbind(0)
        p = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((p @ v).transpose(1, 2).reshape(b, n, c))


class ViTBlock(torch.nn.Module):
    """ViT-B/16 encoder block (pre-LN, exact GELU); x [B, N, d]."""

    def __init__(self, d=768, h=12, mlp=3072):
        super().__init__()
        self.norm1 = torch.nn.LayerNorm(d, eps=1e-6)
        self.attn = ViTAttention(d, h)
        self.norm2 = torch.nn.LayerNorm(d, eps=1e-6)
        self.fc1 = torch.nn.Linear(d, mlp)
        self.fc2 = torch.nn.Linear(mlp, d)

    def forward(self, x):
        x = x + self.attn(self.norm1(x))
        return x + self.fc2(F.gelu(self.fc1(self.norm2(x))))


class MSDeformAttnCore(torch.nn.Module):
    """value [N, S, M, D] (levels' rows concatenated), loc [N, Lq, M, L, P,
    2] in [0, 1], weights [N, Lq, M, L, P] -> [N, Lq, M*D]: per level,
    bilinear samples of the level's map at the points (grid_sample with
    align_corners=False, zero padding, grid = 2 * loc - 1), weighted and
    summed over levels and points."""

    def __init__(self, levels):
        super().__init__()
        self.levels = [tuple(hw) for hw in levels]

    def forward(self, value, loc, weights):
        n, _, m, d = value.shape
        _, lq, _, num_levels, p, _ = loc.shape
        maps = value.split([h * w for h, w in self.levels], dim=1)
        grids = 2 * loc - 1
        samples = []
        for lvl, (h, w) in enumerate(self.levels):
            v = maps[lvl].flatten(2).transpose(1, 2).reshape(n * m, d, h, w)
            g = grids[:, :, :, lvl].transpose(1, 2).flatten(0, 1)
            samples.append(F.grid_sample(v, g, mode="bilinear",
                                         padding_mode="zeros",
                                         align_corners=False))
        wts = weights.transpose(1, 2).reshape(n * m, 1, lq, num_levels * p)
        out = (torch.stack(samples, dim=-2).flatten(-2) * wts).sum(-1)
        return out.view(n, m * d, lq).transpose(1, 2).contiguous()


def export(model, args, names, opset=14):
    """torch.onnx.export of `model` in eval mode on `args` -> bytes."""
    model.eval()
    buf = io.BytesIO()
    torch.onnx.export(model, tuple(args), buf, opset_version=opset,
                      input_names=list(names), do_constant_folding=True)
    return buf.getvalue()


def reference_outputs(model, args):
    """(float64 result, float32 result) of `model` on `args` (the `ref`
    and `naive` of the error rule, SPEC section 4)."""
    import copy
    model.eval()
    with torch.no_grad():
        naive = model(*args).numpy()
        m64 = copy.deepcopy(model).double()
        ref = m64(*[a.double() if a.is_floating_point() else a
                    for a in args]).numpy()
    return ref, naive
