build-chk/builder/cli/passphrase.o: builder/cli/passphrase.c \
 builder/lib/base/hydra.h builder/lib/node/askpass.h \
 builder/lib/node/crypt.h builder/cli/passphrase.h
builder/lib/base/hydra.h:
builder/lib/node/askpass.h:
builder/lib/node/crypt.h:
builder/cli/passphrase.h:
