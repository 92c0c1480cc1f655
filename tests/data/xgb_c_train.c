/*
 * XGBoost driven from C, not Python: tests/integration/test_xgboost.py builds this
 * against the wheel's libxgboost.so (the prototypes are declared here; the wheel
 * ships no header) and checks that the run holds what the Python path gives.
 */
#include <stdint.h>
#include <stdio.h>

typedef void *DMatrixHandle;
typedef void *BoosterHandle;
typedef uint64_t bst_ulong;

void XGBoostVersion(int *major, int *minor, int *patch);
const char *XGBGetLastError(void);
int XGDMatrixCreateFromMat(const float *data, bst_ulong nrow, bst_ulong ncol, float missing, DMatrixHandle *out);
int XGDMatrixSetFloatInfo(DMatrixHandle handle, const char *field, const float *array, bst_ulong len);
int XGBoosterCreate(const DMatrixHandle dmats[], bst_ulong len, BoosterHandle *out);
int XGBoosterSetParam(BoosterHandle handle, const char *name, const char *value);
int XGBoosterUpdateOneIter(BoosterHandle handle, int iter, DMatrixHandle dtrain);
int XGBoosterEvalOneIter(BoosterHandle handle, int iter, DMatrixHandle dmats[], const char *evnames[],
			 bst_ulong len, const char **out_result);
int XGBoosterSaveModel(BoosterHandle handle, const char *fname);

#define CHECK(x)                                                        \
	do {                                                            \
		if ((x) != 0) {                                         \
			fprintf(stderr, "%s: %s\n", #x, XGBGetLastError()); \
			return 1;                                       \
		}                                                       \
	} while (0)

int main(void)
{
	enum { ROWS = 100, COLS = 3 };
	static float data[ROWS * COLS], label[ROWS];
	int major, minor, patch;
	DMatrixHandle dtrain;
	BoosterHandle booster;
	const char *names[] = {"train"};
	const char *result;

	XGBoostVersion(&major, &minor, &patch);
	for (int i = 0; i < ROWS; i++) {
		for (int j = 0; j < COLS; j++)
			data[i * COLS + j] = (float)((i * 7 + j * 13) % 17) / 17.0f;
		label[i] = data[i * COLS] * 2.0f + data[i * COLS + 1];
	}
	CHECK(XGDMatrixCreateFromMat(data, ROWS, COLS, -1.0f, &dtrain));
	CHECK(XGDMatrixSetFloatInfo(dtrain, "label", label, ROWS));
	CHECK(XGBoosterCreate(&dtrain, 1, &booster));
	CHECK(XGBoosterSetParam(booster, "objective", "reg:squarederror"));
	CHECK(XGBoosterSetParam(booster, "max_depth", "2"));
	CHECK(XGBoosterSetParam(booster, "eta", "0.5"));
	for (int it = 0; it < 4; it++) {
		CHECK(XGBoosterUpdateOneIter(booster, it, dtrain));
		CHECK(XGBoosterEvalOneIter(booster, it, &dtrain, names, 1, &result));
		printf("%s\n", result);
	}
	CHECK(XGBoosterSaveModel(booster, "c_model.json"));
	printf("xgboost %d.%d.%d\n", major, minor, patch);
	return 0;
}
