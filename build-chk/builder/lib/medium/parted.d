build-chk/builder/lib/medium/parted.o: builder/lib/medium/parted.c \
 builder/lib/base/hydra.h builder/lib/medium/parted.h
builder/lib/base/hydra.h:
builder/lib/medium/parted.h:
