{- Targets of lib/a/src: a (StaticLibrary).
   Written by `continuity migrate`; edit freely. Src paths are relative to this directory,
   Out paths to the build tree. Types: ../../../continuity/package.dhall
-}
let C = ../../../continuity/package.dhall

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

let a_flags =
      [ C.Arg.Define { name = "A_WORD_LIMIT", value = Some "16" }
      , C.Arg.Include (C.Path.Src "../include")
      , C.Arg.Include (C.Path.Src "")
      , C.Arg.Std "c++17"
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

let a =
      { name = "a"
      , kind = C.TargetKind.StaticLibrary
      , sources =
          [ { source = C.Path.Src "words.cpp"
            , object = "lib/a/CMakeFiles/a.dir/src/words.cpp.o"
            , language = C.Language.cxx
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , headers =
                [ C.Path.Src "../include/a/words.hpp", C.Path.Src "detail.hpp" ]
            , args = a_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.archive
            , tool = ar
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Lit "qc", C.Arg.Lit "lib/a/liba.a", C.Arg.Objects ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "lib/a/liba.a" ]
            , post =
                [ [ C.Arg.Lit "ranlib", C.Arg.Lit "lib/a/liba.a" ] ]
            , rule = None Text
            }
          ]
      }

in  [ a ] : List C.Target
