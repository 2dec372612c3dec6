build-chk/builder/lib/node/crypt.o: builder/lib/node/crypt.c \
 builder/lib/base/hydra.h builder/lib/base/util.h \
 builder/lib/node/crypt.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/node/crypt.h:
