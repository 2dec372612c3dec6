build-chk/builder/lib/medium/wipe.o: builder/lib/medium/wipe.c \
 /usr/include/blkid/blkid.h builder/lib/base/hydra.h \
 builder/lib/medium/wipe.h
/usr/include/blkid/blkid.h:
builder/lib/base/hydra.h:
builder/lib/medium/wipe.h:
