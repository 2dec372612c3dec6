build-chk/builder/init/root.o: builder/init/root.c \
 builder/lib/base/util.h builder/lib/format/hwdb.h \
 builder/lib/format/nodeconf.h builder/init/init.h \
 builder/lib/format/cmdline.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/format/signature.h \
 builder/lib/node/overlay.h builder/lib/node/probe.h
builder/lib/base/util.h:
builder/lib/format/hwdb.h:
builder/lib/format/nodeconf.h:
builder/init/init.h:
builder/lib/format/cmdline.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/format/signature.h:
builder/lib/node/overlay.h:
builder/lib/node/probe.h:
