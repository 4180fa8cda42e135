{- Targets of src: area (Executable), shape (SharedLibrary).
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

let compile_tail =
      [ C.Arg.Lit "-MD"
      , C.Arg.Lit "-MT"
      , C.Arg.Object
      , C.Arg.Lit "-MF"
      , C.Arg.ObjectWith ".d"
      , C.Arg.Lit "-o"
      , C.Arg.Object
      , C.Arg.Lit "-c"
      , C.Arg.Source
      ]

let area_flags =
      [ C.Arg.Include (C.Path.Src "../include") ]

let env =
      toMap { LANG = "C.UTF-8" }

let area =
      { name = "area"
      , kind = C.TargetKind.Executable
      , sources =
          [ { source = C.Path.Src "main.c"
            , object = "CMakeFiles/area.dir/src/main.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "../include/shape.h" ]
            , args = area_flags # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Objects
                , C.Arg.Lit "-o"
                , C.Arg.Lit "area"
                , C.Arg.Parts
                    [ C.Part.Lit "-Wl,-rpath,", C.Part.Path (C.Path.Out "") ]
                , C.Arg.Lit "libshape.so.1.2.3"
                ]
            , inputs = [ C.Path.Out "libshape.so.1.2.3" ]
            , outputs = [ C.Path.Out "area" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

let shape_flags =
      [ C.Arg.Define { name = "SHAPE_BUILDING", value = None Text }
      , C.Arg.Define { name = "shape_EXPORTS", value = None Text }
      , C.Arg.Include (C.Path.Src "../include")
      , C.Arg.Flag (C.Flag.pic True)
      , C.Arg.Lit "-fvisibility=hidden"
      ]

let shape =
      { name = "shape"
      , kind = C.TargetKind.SharedLibrary
      , sources =
          [ { source = C.Path.Src "shape.c"
            , object = "CMakeFiles/shape.dir/src/shape.c.o"
            , language = C.Language.c
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , headers = [ C.Path.Src "../include/shape.h" ]
            , args = shape_flags # compile_tail
            }
          ]
      , steps =
          [ { kind = C.StepKind.link
            , tool = cc
            , cwd = C.Path.Out ""
            , env = env
            , args =
                [ C.Arg.Flag (C.Flag.pic True)
                , C.Arg.Lit "-shared"
                , C.Arg.Lit "-Wl,-soname,libshape.so.1"
                , C.Arg.Lit "-o"
                , C.Arg.Lit "libshape.so.1.2.3"
                , C.Arg.Objects
                ]
            , inputs = [] : List C.Path
            , outputs = [ C.Path.Out "libshape.so.1.2.3" ]
            , post = [] : List (List C.Arg)
            , rule = None Text
            }
          ]
      }

in  [ area, shape ] : List C.Target
