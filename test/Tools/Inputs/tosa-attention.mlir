// Multi-head attention as TOSA (what TFLite and ONNX-to-TOSA front ends
// emit): x [1, L, H*D] projections split into H = 2 heads of D = 4,
// softmax(q k^T * 0.5 + bias) v with the max subtracted, heads merged back.
// Lq = 7 queries, Lk = 5 keys.
func.func @main(%q: tensor<1x7x8xf32>, %k: tensor<1x5x8xf32>,
                %v: tensor<1x5x8xf32>, %bias: tensor<1x1x5xf32>)
    -> tensor<1x7x8xf32> {
  %fzp = "tosa.const"() <{values = dense<0.0> : tensor<1xf32>}> : () -> tensor<1xf32>
  %shift = "tosa.const"() <{values = dense<0> : tensor<1xi8>}> : () -> tensor<1xi8>
  %scale = "tosa.const"() <{values = dense<0.5> : tensor<1x1x1xf32>}> : () -> tensor<1x1x1xf32>
  %s4q = tosa.const_shape {values = dense<[1, 7, 2, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s4k = tosa.const_shape {values = dense<[1, 5, 2, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s3q = tosa.const_shape {values = dense<[2, 7, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s3k = tosa.const_shape {values = dense<[2, 5, 4]> : tensor<3xindex>} : () -> !tosa.shape<3>
  %s4o = tosa.const_shape {values = dense<[1, 2, 7, 4]> : tensor<4xindex>} : () -> !tosa.shape<4>
  %s3o = tosa.const_shape {values = dense<[1, 7, 8]> : tensor<3xindex>} : () -> !tosa.shape<3>
  // [1, L, 8] -> [1, L, 2, 4] -> [1, 2, L, 4] -> [2, L, 4]
  %q4 = tosa.reshape %q, %s4q : (tensor<1x7x8xf32>, !tosa.shape<4>) -> tensor<1x7x2x4xf32>
  %qh = tosa.transpose %q4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x7x2x4xf32>) -> tensor<1x2x7x4xf32>
  %q3 = tosa.reshape %qh, %s3q : (tensor<1x2x7x4xf32>, !tosa.shape<3>) -> tensor<2x7x4xf32>
  %k4 = tosa.reshape %k, %s4k : (tensor<1x5x8xf32>, !tosa.shape<4>) -> tensor<1x5x2x4xf32>
  %kh = tosa.transpose %k4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x5x2x4xf32>) -> tensor<1x2x5x4xf32>
  %k3 = tosa.reshape %kh, %s3k : (tensor<1x2x5x4xf32>, !tosa.shape<3>) -> tensor<2x5x4xf32>
  %kt = tosa.transpose %k3 {perms = array<i32: 0, 2, 1>} : (tensor<2x5x4xf32>) -> tensor<2x4x5xf32>
  %v4 = tosa.reshape %v, %s4k : (tensor<1x5x8xf32>, !tosa.shape<4>) -> tensor<1x5x2x4xf32>
  %vh = tosa.transpose %v4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x5x2x4xf32>) -> tensor<1x2x5x4xf32>
  %v3 = tosa.reshape %vh, %s3k : (tensor<1x2x5x4xf32>, !tosa.shape<3>) -> tensor<2x5x4xf32>
  // scores and a numerically stable softmax over the keys
  %s = tosa.matmul %q3, %kt, %fzp, %fzp : (tensor<2x7x4xf32>, tensor<2x4x5xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x7x5xf32>
  %ss = tosa.mul %s, %scale, %shift : (tensor<2x7x5xf32>, tensor<1x1x1xf32>, tensor<1xi8>) -> tensor<2x7x5xf32>
  %sb = tosa.add %ss, %bias : (tensor<2x7x5xf32>, tensor<1x1x5xf32>) -> tensor<2x7x5xf32>
  %m = tosa.reduce_max %sb {axis = 2 : i32} : (tensor<2x7x5xf32>) -> tensor<2x7x1xf32>
  %d = tosa.sub %sb, %m : (tensor<2x7x5xf32>, tensor<2x7x1xf32>) -> tensor<2x7x5xf32>
  %e = tosa.exp %d : (tensor<2x7x5xf32>) -> tensor<2x7x5xf32>
  %sum = tosa.reduce_sum %e {axis = 2 : i32} : (tensor<2x7x5xf32>) -> tensor<2x7x1xf32>
  %r = tosa.reciprocal %sum : (tensor<2x7x1xf32>) -> tensor<2x7x1xf32>
  %p = tosa.mul %e, %r, %shift : (tensor<2x7x5xf32>, tensor<2x7x1xf32>, tensor<1xi8>) -> tensor<2x7x5xf32>
  %o = tosa.matmul %p, %v3, %fzp, %fzp : (tensor<2x7x5xf32>, tensor<2x5x4xf32>, tensor<1xf32>, tensor<1xf32>) -> tensor<2x7x4xf32>
  // [2, 7, 4] -> [1, 2, 7, 4] -> [1, 7, 2, 4] -> [1, 7, 8]
  %o4 = tosa.reshape %o, %s4o : (tensor<2x7x4xf32>, !tosa.shape<4>) -> tensor<1x2x7x4xf32>
  %ot = tosa.transpose %o4 {perms = array<i32: 0, 2, 1, 3>} : (tensor<1x2x7x4xf32>) -> tensor<1x7x2x4xf32>
  %out = tosa.reshape %ot, %s3o : (tensor<1x7x2x4xf32>, !tosa.shape<3>) -> tensor<1x7x8xf32>
  return %out : tensor<1x7x8xf32>
}
