build-chk/builder/init/init.o: builder/init/init.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/init/init.h \
 builder/lib/format/cmdline.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/format/signature.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
