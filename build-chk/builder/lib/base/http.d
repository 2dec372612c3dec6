build-chk/builder/lib/base/http.o: builder/lib/base/http.c \
 builder/lib/base/http.h builder/lib/base/hydra.h builder/lib/base/util.h
builder/lib/base/http.h:
builder/lib/base/hydra.h:
builder/lib/base/util.h:
