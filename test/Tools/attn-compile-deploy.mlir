// A shared library from attn-compile is deployable: its header names the
// file, the CPU and the link recipe; it records no path of the build
// machine (RUNPATH $ORIGIN, SONAME its file name) and finds libomp.so.5,
// which attn-compile copies next to it; a program built from another
// directory by the header's recipe keeps running when the directory moves,
// and a call with mismatched dynamic sizes returns an error code and a
// message instead of aborting.

// RUN: rm -rf %t && mkdir -p %t/lib %t/src %t/lib2
// RUN: attn-compile %s -o %t/lib/model.so
// RUN: ls %t/lib | FileCheck %s --check-prefix=FILES
// FILES:      libomp.so.5
// FILES-NEXT: model.h
// FILES-NEXT: model.so

// RUN: FileCheck %s --check-prefix=HEADER --match-full-lines < %t/lib/model.h
// HEADER:      * Library: model.so
// HEADER-NEXT: * Built for: --cpu=native ({{[a-z0-9_-]+}}), the CPU of the machine that compiled it.
// HEADER-NEXT: *   Instruction-set extensions it may use: {{.*}}
// HEADER:      *   cc app.c -IDIR -LDIR -l:model.so -Wl,-rpath,'$ORIGIN'
// HEADER:      {{.*}} model.so needs libomp.so.5 from LLVM, {{.*}}
// HEADER:      const char *attn_last_error(void);
// HEADER:      int _mlir_ciface_attention(attn_memref_4d_f32 *result, const attn_memref_4d_f32 *arg0, const attn_memref_4d_f32 *arg1, const attn_memref_4d_f32 *arg2);
// HEADER-NEXT: int attention(attn_memref_4d_f32 *result, const attn_memref_4d_f32 *arg0, const attn_memref_4d_f32 *arg1, const attn_memref_4d_f32 *arg2);

// RUN: llvm-readelf -d %t/lib/model.so | FileCheck %s --check-prefix=DYNAMIC --implicit-check-not=/usr/lib
// DYNAMIC-DAG: (NEEDED) Shared library: [libomp.so.5]
// DYNAMIC-DAG: (SONAME) Library soname: [model.so]
// DYNAMIC-DAG: (RUNPATH) Library runpath: [$ORIGIN]
// Only the entry points and the run-time support are exported.
// RUN: llvm-nm -D --defined-only %t/lib/model.so | FileCheck %s --check-prefix=EXPORTS --implicit-check-not=__attn_body --implicit-check-not=__attn_check --implicit-check-not=__cpu_model
// EXPORTS-DAG: T _mlir_ciface_attention
// EXPORTS-DAG: T attention
// EXPORTS-DAG: T attn_last_error

// Built from another directory by the header's recipe (DIR = ../lib), the
// program placed next to the library.
// RUN: cd %t/src && %clang -std=c99 -Wall -Wextra -Werror %S/Inputs/deploy-app.c \
// RUN:   -I../lib -L../lib -l:model.so -Wl,-rpath,'$ORIGIN' -lm -o ../lib/app
// The directory moves; nothing points into the old place.
// RUN: mv %t/lib %t/moved
// RUN: env -u LD_LIBRARY_PATH %t/moved/app | FileCheck %s --check-prefix=APP
// RUN: env -u LD_LIBRARY_PATH ldd %t/moved/model.so | FileCheck %s --check-prefix=LDD -DDIR=%t/moved
// LDD: libomp.so.5 => [[DIR]]/libomp.so.5

// APP:      matching sizes: status 0, result batch 2, error (none)
// APP-NEXT: outputs bounded: yes
// APP-NEXT: mismatched batch: status 1, error @attention stopped at a run-time check: attn.attention: 'key' dim 0 (B) does not match 'query' dim 0
// APP-NEXT: result written: no
// APP-NEXT: mismatched value batch: status 1, error @attention stopped at a run-time check: attn.attention: 'value' dim 0 (B) does not match 'query' dim 0
// APP-NEXT: after a failure: status 0, error (none)

// A library named lib<name>.so links with -l<name>, as its header says.
// RUN: attn-compile %s -o %t/lib2/libmodel.so
// RUN: FileCheck %s --check-prefix=HEADER2 < %t/lib2/libmodel.h
// HEADER2: cc app.c -IDIR -LDIR -lmodel -Wl,-rpath,'$ORIGIN'
// RUN: cd %t/src && %clang -std=c99 -DLIBMODEL %S/Inputs/deploy-app.c \
// RUN:   -I../lib2 -L../lib2 -lmodel -Wl,-rpath,'$ORIGIN' -lm -o ../lib2/app
// RUN: env -u LD_LIBRARY_PATH %t/lib2/app | FileCheck %s --check-prefix=APP

// --bundle-runtime=false: no copy; libomp.so.5 comes from the system.
// RUN: mkdir -p %t/nobundle
// RUN: attn-compile %s --bundle-runtime=false -o %t/nobundle/model.so
// RUN: ls %t/nobundle | FileCheck %s --check-prefix=NOBUNDLE --implicit-check-not=libomp
// NOBUNDLE: model.h
// NOBUNDLE: model.so

func.func @attention(%q: tensor<?x2x4x8xf32>, %k: tensor<?x2x6x8xf32>,
                     %v: tensor<?x2x6x8xf32>) -> tensor<?x2x4x8xf32> {
  %o = attn.attention %q, %k, %v
      : tensor<?x2x4x8xf32>, tensor<?x2x6x8xf32>, tensor<?x2x6x8xf32> -> tensor<?x2x4x8xf32>
  return %o : tensor<?x2x4x8xf32>
}
