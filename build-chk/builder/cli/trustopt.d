build-chk/builder/cli/trustopt.o: builder/cli/trustopt.c \
 builder/cli/cli.h builder/lib/medium/sign.h \
 builder/lib/format/signature.h builder/lib/format/layout.h \
 builder/cli/trustopt.h
builder/cli/cli.h:
builder/lib/medium/sign.h:
builder/lib/format/signature.h:
builder/lib/format/layout.h:
builder/cli/trustopt.h:
