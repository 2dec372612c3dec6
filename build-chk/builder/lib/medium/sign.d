build-chk/builder/lib/medium/sign.o: builder/lib/medium/sign.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/manifest.h builder/lib/medium/sign.h \
 builder/lib/format/signature.h builder/lib/format/layout.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/manifest.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
