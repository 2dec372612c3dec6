build-chk/builder/lib/medium/clone.o: builder/lib/medium/clone.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/format/hwdb.h builder/lib/format/layout.h \
 builder/lib/format/manifest.h builder/lib/medium/clone.h \
 builder/lib/node/crypt.h builder/lib/medium/datapart.h \
 builder/lib/medium/medium.h builder/lib/medium/safety.h \
 builder/lib/medium/writer.h builder/lib/node/datacopy.h \
 builder/lib/node/volume.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/format/hwdb.h:
builder/lib/format/layout.h:
builder/lib/format/manifest.h:
builder/lib/medium/clone.h:
builder/lib/node/crypt.h:
builder/lib/medium/datapart.h:
builder/lib/medium/medium.h:
builder/lib/medium/safety.h:
builder/lib/medium/writer.h:
builder/lib/node/datacopy.h:
builder/lib/node/volume.h:
