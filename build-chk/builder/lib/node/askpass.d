build-chk/builder/lib/node/askpass.o: builder/lib/node/askpass.c \
 builder/lib/base/util.h builder/lib/node/askpass.h \
 builder/lib/node/crypt.h
builder/lib/base/util.h:
builder/lib/node/askpass.h:
builder/lib/node/crypt.h:
