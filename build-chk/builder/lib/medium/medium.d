build-chk/builder/lib/medium/medium.o: builder/lib/medium/medium.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/fat.h builder/lib/medium/medium.h \
 builder/lib/format/layout.h builder/lib/format/manifest.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/fat.h:
builder/lib/medium/medium.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
