{- Targets of src: cuda_host (Executable), saxpy (StaticLibrary).
   Written by `continuity migrate`; edit freely. Src paths are relative to this directory,
   Out paths to the build tree. Types: ../continuity/package.dhall
-}
let C = ../continuity/package.dhall

let x86_64_unknown_linux_gnu =
      { arch = C.Arch.x86_64
      , vendor = C.Vendor.unknown
      , os = C.OS.linux
      , abi = C.ABI.gnu
      , cpu = C.Cpu.generic
      , gpu = C.Gpu.none
      }

let ar =
      { name = "ar"
      , toolchain =
          { compiler = "/usr/bin/ar"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let cxx =
      { name = "c++"
      , toolchain =
          { compiler = "/usr/bin/c++"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let gxx =
      { name = "g++"
      , toolchain =
          { compiler = "/usr/bin/g++"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let nvcc =
      { name = "nvcc"
      , toolchain =
          { compiler = "/usr/local/bin/nvcc"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let cuda_host_flags =
      [ C.Arg.Include (C.Path.Src "")
      , C.Arg.Std "gnu++17"
      , C.Arg.Lit "-MD"
      , C.Arg.Lit "-MT"
      , C.Arg.Object
      , C.Arg.Lit "-MF"
      , C.Arg.ObjectWith ".d"
      , C.Arg.Lit "-o"
      , C.Arg.Object
      , C.Arg.Lit "-c"
      , C.Arg.Source
      ]

let env =
      toMap { LANG = "C.UTF-8" }

let cuda_host =
      { name = "cuda_host"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.cpp"
            , object = "CMakeFiles/cuda_host.dir/src/main.cpp.o"
            , language = C.Language.cxx
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "saxpy.h" ]
            , args = cuda_host_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = gxx
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects
                , C.Arg.Lit "-o"
                , C.Arg.Lit "cuda_host"
                , C.Arg.Lit "libsaxpy.a"
                , C.Arg.Lit "-lcudadevrt"
                , C.Arg.Lit "-lcudart_static"
                , C.Arg.Lit "-lrt"
                , C.Arg.Lit "-lpthread"
                , C.Arg.Lit "-ldl"
                , C.Arg.Lit "-L/usr/local/cuda-13.0/targets/x86_64-linux/lib/stubs"
                , C.Arg.Lit "-L/usr/local/cuda-13.0/targets/x86_64-linux/lib"
                ]
            , inputs =
                [ C.Path.Out "libsaxpy.a"
                , C.Path.Abs "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcudadevrt.a"
                , C.Path.Abs "/usr/local/cuda-13.0/targets/x86_64-linux/lib/libcudart_static.a"
                ]
            , outputs = [ C.Path.Out "cuda_host" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let saxpy_flags =
      [ C.Arg.Lit "-forward-unknown-to-host-compiler"
      , C.Arg.Include (C.Path.Src "")
      , C.Arg.CudaGencode C.Gpu.sm_80
      , C.Arg.Lit "--use_fast_math"
      , C.Arg.Std "c++17"
      , C.Arg.Lit "-MD"
      , C.Arg.Lit "-MT"
      , C.Arg.Object
      , C.Arg.Lit "-MF"
      , C.Arg.ObjectWith ".d"
      , C.Arg.Lit "-x"
      , C.Arg.Lit "cu"
      , C.Arg.Lit "-c"
      , C.Arg.Source
      , C.Arg.Lit "-o"
      , C.Arg.Object
      ]

let saxpy =
      { name = "saxpy"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "saxpy.cu"
            , object = "CMakeFiles/saxpy.dir/src/saxpy.cu.o"
            , language = C.Language.cuda
            , tool = nvcc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "saxpy.h" ]
            , args = saxpy_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "qc", C.Arg.Lit "libsaxpy.a", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "libsaxpy.a" ]
            , post =
                [ [ C.Arg.Lit "ranlib", C.Arg.Lit "libsaxpy.a" ] ]
            , rule = None Text
            }
          ]
      }

in  [ cuda_host, saxpy ] : List C.Target
