// The kernel of the OpenCL runtime's unit test (OpenCLRuntimeTest.cpp):
// out[i] = a[i] * 2 + b[i] for i < n, one thread per element. The build
// lowers it to SPIR-V through gpu-module-to-binary (CMakeLists.txt), as the
// GPU pipeline's kernels are, and the test loads the bytes of the
// gpu.binary with mgpuModuleLoad.
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scale_add(%a: memref<1024xf32>, %b: memref<1024xf32>,
                        %out: memref<1024xf32>, %n: index) kernel
        attributes {spirv.entry_point_abi = #spirv.entry_point_abi<>} {
      %block = gpu.block_id x
      %blockSize = gpu.block_dim x
      %thread = gpu.thread_id x
      %base = arith.muli %block, %blockSize : index
      %i = arith.addi %base, %thread : index
      %inBounds = arith.cmpi ult, %i, %n : index
      scf.if %inBounds {
        %x = memref.load %a[%i] : memref<1024xf32>
        %y = memref.load %b[%i] : memref<1024xf32>
        %two = arith.constant 2.0 : f32
        %scaled = arith.mulf %x, %two : f32
        %sum = arith.addf %scaled, %y : f32
        memref.store %sum, %out[%i] : memref<1024xf32>
      }
      gpu.return
    }
  }
}
