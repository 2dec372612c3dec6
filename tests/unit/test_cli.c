/* The hydra front end, run as a program: usage, exit codes, hydra run --print. */
#include "harness.h"

static char hydra_bin[4096];
static char *out_text;
static char err_text[8192];

/* Run hydra with ARGV (NULL-terminated, without argv[0]) and ENV; the exit code. */
static int hydra(const char *const env[], const char *const *args)
{
	const char *argv[32] = { hydra_bin };
	struct hydra_spawn_opts o = { .env = env, .logfile = "stderr.log", .capture = &out_text };
	char *err = NULL;
	size_t i, len;
	int r;

	for (i = 0; args[i] && i < 30; i++)
		argv[i + 1] = args[i];
	free(out_text);
	out_text = NULL;
	unlink("stderr.log");
	r = hydra_spawn(argv, &o);
	err_text[0] = '\0';
	if (hydra_read_file("stderr.log", &err, &len) == 0)
		snprintf(err_text, sizeof(err_text), "%s", err);
	free(err);
	return r;
}

#define HYDRA(...) hydra(NULL, (const char *[]){ __VA_ARGS__, NULL })
#define HYDRA_ENV(env, ...) hydra(env, (const char *[]){ __VA_ARGS__, NULL })

static void test_usage(void)
{
	EQ_INT(HYDRA("--version"), 0);
	EQ_STR(out_text, "hydra 0.1.0\n");
	EQ_INT(hydra(NULL, (const char *[]){ NULL }), 2);
	CONTAINS(err_text, "usage: hydra [-v] COMMAND");
	EQ_STR(out_text, "");
	EQ_INT(HYDRA("--help"), 0);
	CONTAINS(out_text, "  build     assemble an image from a recipe\n");
	CONTAINS(out_text, "  run       boot an image in QEMU\n");
	EQ_INT(HYDRA("run", "--help"), 0);
	CONTAINS(out_text, "usage: hydra run [--uefi] [--disk FILE]...");
	CONTAINS(out_text, "--snapshot");
	EQ_INT(HYDRA("build", "-h"), 0);
	CONTAINS(out_text, "usage: hydra build [-o OUT] [--size SIZE] [--sign KEY] [--no-cache] RECIPE");
	CONTAINS(out_text, "--no-cache     make every stage again");
}

static void test_usage_errors(void)
{
	EQ_INT(HYDRA("frob"), 2);
	EQ_STR(err_text, "hydra: error: 'frob' is not a hydra command\nsee 'hydra --help'\n");
	EQ_INT(HYDRA("--frob"), 2);
	EQ_STR(err_text, "hydra: error: option '--frob' is not known\nsee 'hydra --help'\n");
	EQ_INT(HYDRA("run", "--frob", "x.img"), 2);
	EQ_STR(err_text, "hydra: error: option '--frob' is not known\nsee 'hydra run --help'\n");
	EQ_INT(HYDRA("run", "-q", "x.img"), 2);
	CONTAINS(err_text, "option '-q' is not known");
	EQ_INT(HYDRA("run", "x.img", "--disk"), 2);
	CONTAINS(err_text, "option '--disk' needs an argument");
	EQ_INT(HYDRA("run", "--uefi=yes", "x.img"), 2);
	CONTAINS(err_text, "option '--uefi' takes no argument");
	EQ_INT(HYDRA("run"), 2);
	CONTAINS(err_text, "too few arguments");
	EQ_INT(HYDRA("run", "a.img", "b.img"), 2);
	CONTAINS(err_text, "too many arguments");
	EQ_INT(HYDRA("run", "--memory", "lots", "a.img"), 2);
	CONTAINS(err_text, "bad memory size 'lots'");
	EQ_INT(HYDRA("run", "--print", "missing.img"), 1);
	EQ_STR(err_text, "hydra: error: cannot open image 'missing.img': No such file or directory\n");
}

static void test_run_print(void)
{
	static const char *const kvm[] = { "HYDRA_QEMU_ACCEL=kvm", NULL };

	t_write("a.img", "");
	t_write("b,c.img", "");
	t_write("d.img", "");
	EQ_INT(HYDRA("run", "--print", "a.img"), 0);
	EQ_STR(out_text, "qemu-system-x86_64 -accel tcg -m 1024 -nographic -serial mon:stdio "
	       "-drive file=a.img,format=raw,if=virtio\n");
	/* Options after the image, commas doubled, quoting, and "--" passed through. */
	EQ_INT(HYDRA("run", "--print", "a.img", "--memory", "2048", "--disk", "b,c.img", "--disk",
		     "d.img", "--snapshot", "--", "-smp", "2", "-name", "x y"), 0);
	EQ_STR(out_text, "qemu-system-x86_64 -accel tcg -m 2048 -nographic -serial mon:stdio "
	       "-drive file=a.img,format=raw,if=virtio -drive file=b,,c.img,format=raw,if=virtio "
	       "-drive file=d.img,format=raw,if=virtio -snapshot -smp 2 -name 'x y'\n");
	EQ_INT(HYDRA_ENV(kvm, "run", "--print", "a.img"), 0);
	CONTAINS(out_text, " -accel kvm ");
}

static void test_run_uefi(void)
{
	char *dir = hydra_path_join(t_dir, "ovmf"), *env0 = hydra_strdupf("HYDRA_OVMF_DIR=%s", dir);
	char *want = hydra_strdupf("qemu-system-x86_64 -accel tcg -m 1024 -nographic -serial mon:stdio "
				   "-drive if=pflash,format=raw,unit=0,readonly=on,file=%s/OVMF_CODE_4M.fd "
				   "-drive if=pflash,format=raw,unit=1,file=/tmp/hydra-run.XXXXXX/OVMF_VARS_4M.fd "
				   "-drive file=a.img,format=raw,if=virtio\n", dir);
	const char *env[] = { env0, NULL };

	t_write("a.img", "");
	EQ_INT(HYDRA_ENV(env, "run", "--print", "--uefi", "a.img"), 1);
	CONTAINS(err_text, "cannot find UEFI firmware '");
	CONTAINS(err_text, "/ovmf/OVMF_CODE_4M.fd': install the Debian package ovmf");
	t_write("ovmf/OVMF_CODE_4M.fd", "code");
	t_write("ovmf/OVMF_VARS_4M.fd", "vars");
	EQ_INT(HYDRA_ENV(env, "run", "--print", "--uefi", "a.img"), 0);
	EQ_STR(out_text, want);
	free(dir);
	free(env0);
	free(want);
}

int main(void)
{
	snprintf(hydra_bin, sizeof(hydra_bin), "%s/hydra", HYDRA_BUILDDIR);
	if (access(hydra_bin, X_OK) < 0) {
		printf("skip - test_cli: build/hydra not built (make all)\n");
		return 0;
	}
	/* hydra run --print checks that QEMU is there, as a real run would. */
	if (hydra_tool_require("qemu-system-x86_64") < 0) {
		printf("skip - test_cli: no qemu-system-x86_64 (apt-get install qemu-system-x86)\n");
		return 0;
	}
	RUN(test_usage);
	RUN(test_usage_errors);
	RUN(test_run_print);
	RUN(test_run_uefi);
	free(out_text);
	TESTS_END();
}
