build-chk/builder/lib/medium/writer.o: builder/lib/medium/writer.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/bootcfg.h builder/lib/format/fat.h \
 builder/lib/format/fatmk.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/medium/medium.h \
 builder/lib/medium/parted.h builder/lib/medium/wipe.h \
 builder/lib/medium/writer.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/bootcfg.h:
builder/lib/format/fat.h:
builder/lib/format/fatmk.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/medium/medium.h:
builder/lib/medium/parted.h:
builder/lib/medium/wipe.h:
builder/lib/medium/writer.h:
