build-chk/builder/lib/node/datacopy.o: builder/lib/node/datacopy.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/node/datacopy.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/node/datacopy.h:
