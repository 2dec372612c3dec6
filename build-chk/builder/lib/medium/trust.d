build-chk/builder/lib/medium/trust.o: builder/lib/medium/trust.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/manifest.h builder/lib/medium/medium.h \
 builder/lib/format/layout.h builder/lib/medium/sign.h \
 builder/lib/format/signature.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/manifest.h:
builder/lib/medium/medium.h:
builder/lib/format/layout.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
