build-chk/builder/lib/format/manifest.o: builder/lib/format/manifest.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/manifest.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/manifest.h:
