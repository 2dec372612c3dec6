build-chk/builder/lib/base/log.o: builder/lib/base/log.c \
 builder/lib/base/hydra.h
builder/lib/base/hydra.h:
