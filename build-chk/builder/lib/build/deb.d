build-chk/builder/lib/build/deb.o: builder/lib/build/deb.c \
 builder/lib/base/hydra.h builder/lib/base/util.h builder/lib/build/deb.h
builder/lib/base/hydra.h:
builder/lib/base/util.h:
builder/lib/build/deb.h:
