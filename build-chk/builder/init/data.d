build-chk/builder/init/data.o: builder/init/data.c builder/init/init.h \
 builder/lib/format/cmdline.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/base/util.h \
 builder/lib/format/signature.h builder/lib/node/askpass.h \
 builder/lib/node/crypt.h builder/lib/node/volume.h
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/base/util.h:
builder/lib/format/signature.h:
builder/lib/node/askpass.h:
builder/lib/node/crypt.h:
builder/lib/node/volume.h:
