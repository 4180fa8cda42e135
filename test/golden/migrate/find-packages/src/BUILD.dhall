{- Targets of src: pkgdemo (Executable).
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

let cc =
      { name = "cc"
      , toolchain =
          { compiler = "/usr/bin/cc"
          , host = x86_64_unknown_linux_gnu
          , target = x86_64_unknown_linux_gnu
          , flags = [] : List C.Flag
          , sysroot = None Text
          }
      }

let pkgdemo_flags =
      [ C.Arg.Define { name = "HAVE_BOOST_FILESYSTEM", value = Some "1" }
      , C.Arg.Lit "-isystem"
      , C.Arg.Path (C.Path.Pkg { package = "Boost", path = "include" })
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

let pkgdemo =
      { name = "pkgdemo"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.c"
            , object = "CMakeFiles/pkgdemo.dir/src/main.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args = pkgdemo_flags
            }
          , { source = C.Path.Src "boost_part.cpp"
            , object = "CMakeFiles/pkgdemo.dir/src/boost_part.cpp.o"
            , language = C.Language.cxx
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , headers = [] : List C.Path
            , args = pkgdemo_flags
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cxx
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects
                , C.Arg.Lit "-o"
                , C.Arg.Lit "pkgdemo"
                , C.Arg.Path (C.Path.Abs "/usr/lib/x86_64-linux-gnu/libz.so")
                , C.Arg.Path
                    ( C.Path.Pkg
                        { package = "Boost"
                        , path =
                            "lib/libboost_filesystem.a"
                        }
                    )
                , C.Arg.Path
                    ( C.Path.Pkg
                        { package = "Boost", path = "lib/libboost_system.a" }
                    )
                ]
            , inputs =
                [ C.Path.Abs "/usr/lib/x86_64-linux-gnu/libz.so"
                , C.Path.Pkg
                    { package = "Boost", path = "lib/libboost_filesystem.a" }
                , C.Path.Pkg
                    { package = "Boost", path = "lib/libboost_system.a" }
                ]
            , outputs = [ C.Path.Out "pkgdemo" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ pkgdemo ] : List C.Target
