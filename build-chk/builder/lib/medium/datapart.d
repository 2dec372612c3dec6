build-chk/builder/lib/medium/datapart.o: builder/lib/medium/datapart.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/medium/datapart.h builder/lib/node/crypt.h \
 builder/lib/medium/parted.h builder/lib/medium/safety.h \
 builder/lib/node/volume.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/medium/datapart.h:
builder/lib/node/crypt.h:
builder/lib/medium/parted.h:
builder/lib/medium/safety.h:
builder/lib/node/volume.h:
