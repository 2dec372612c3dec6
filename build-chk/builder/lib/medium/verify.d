build-chk/builder/lib/medium/verify.o: builder/lib/medium/verify.c \
 builder/lib/base/hydra.h builder/lib/format/bootcfg.h \
 builder/lib/format/hwdb.h builder/lib/format/manifest.h \
 builder/lib/base/util.h builder/lib/medium/medium.h \
 builder/lib/format/layout.h
builder/lib/base/hydra.h:
builder/lib/format/bootcfg.h:
builder/lib/format/hwdb.h:
builder/lib/format/manifest.h:
builder/lib/base/util.h:
builder/lib/medium/medium.h:
builder/lib/format/layout.h:
