build-chk/builder/init/modload.o: builder/init/modload.c \
 builder/lib/base/util.h builder/init/init.h builder/lib/format/cmdline.h \
 builder/lib/format/layout.h builder/lib/format/manifest.h \
 builder/lib/format/signature.h
builder/lib/base/util.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
