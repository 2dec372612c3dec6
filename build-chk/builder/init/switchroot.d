build-chk/builder/init/switchroot.o: builder/init/switchroot.c \
 builder/lib/base/util.h builder/init/init.h builder/lib/format/cmdline.h \
 builder/lib/format/layout.h builder/lib/format/manifest.h \
 builder/lib/format/signature.h
builder/lib/base/util.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
