/* Bench only (bench/attach_time): a shared library of 4000 small exported
 * functions, f0000 .. f3999, the "large symbol set" a {re:f.*} hooks. Nothing else
 * maps it, so probing it system-wide slows no other process. __COUNTER__ makes
 * every body different: identical ones could be folded into one address. */
#define BAF_F(name) __attribute__((noinline, used)) int name(int x) { return x * 3 + __COUNTER__; }
#define BAF_D0(p) BAF_F(p##0) BAF_F(p##1) BAF_F(p##2) BAF_F(p##3) BAF_F(p##4) \
	BAF_F(p##5) BAF_F(p##6) BAF_F(p##7) BAF_F(p##8) BAF_F(p##9)
#define BAF_D1(p) BAF_D0(p##0) BAF_D0(p##1) BAF_D0(p##2) BAF_D0(p##3) BAF_D0(p##4) \
	BAF_D0(p##5) BAF_D0(p##6) BAF_D0(p##7) BAF_D0(p##8) BAF_D0(p##9)
#define BAF_D2(p) BAF_D1(p##0) BAF_D1(p##1) BAF_D1(p##2) BAF_D1(p##3) BAF_D1(p##4) \
	BAF_D1(p##5) BAF_D1(p##6) BAF_D1(p##7) BAF_D1(p##8) BAF_D1(p##9)

BAF_D2(f0)
BAF_D2(f1)
BAF_D2(f2)
BAF_D2(f3)
