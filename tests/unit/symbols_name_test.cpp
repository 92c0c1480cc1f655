#include <gtest/gtest.h>

#include "symbols/demangled_name.h"

namespace bpfpads {
namespace {

using V = std::vector<std::string>;

TEST(SymbolNameSplit, PlainFunctionAndMethod) {
  auto s = split_demangled("ns::Cls::method(int) const");
  EXPECT_EQ(s.components, (V{"ns", "Cls", "method"}));
  EXPECT_EQ(s.signature, "(int) const");
  EXPECT_FALSE(s.secondary);
}

TEST(SymbolNameSplit, OverloadsShareComponentsNotSignature) {
  auto a = split_demangled("ns::f(int)");
  auto b = split_demangled("ns::f(double)");
  EXPECT_EQ(a.components, b.components);
  EXPECT_NE(a.signature, b.signature);
}

TEST(SymbolNameSplit, ColonsInsideTemplateArgumentsAndParametersDoNotSplit) {
  auto s = split_demangled("ns::Box<std::pair<a::b, c::d> >::put(std::vector<x::y, std::allocator<x::y> > const&)");
  EXPECT_EQ(s.components, (V{"ns", "Box<std::pair<a::b, c::d> >", "put"}));
  EXPECT_EQ(s.signature, "(std::vector<x::y, std::allocator<x::y> > const&)");
}

TEST(SymbolNameSplit, TemplateFunctionReturnTypeIsDropped) {
  EXPECT_EQ(split_demangled("int ns::twice<int>(int)").components, (V{"ns", "twice<int>"}));
  EXPECT_EQ(split_demangled("unsigned long ns::f<long>(long)").components, (V{"ns", "f<long>"}));
  EXPECT_EQ(split_demangled("std::vector<int, std::allocator<int> > ns::make<int>()").components,
            (V{"ns", "make<int>"}));
  EXPECT_EQ(split_demangled("decltype ({parm#1}+{parm#2}) ns::add<int, int>(int, int)").components,
            (V{"ns", "add<int, int>"}));
}

TEST(SymbolNameSplit, Operators) {
  EXPECT_EQ(split_demangled("ns::X::operator()(int)").components, (V{"ns", "X", "operator()"}));
  EXPECT_EQ(split_demangled("ns::X::operator()(int)").signature, "(int)");
  EXPECT_EQ(split_demangled("ns::operator<(ns::X const&, ns::X const&)").components,
            (V{"ns", "operator<"}));
  EXPECT_EQ(split_demangled("ns::operator<<(std::ostream&, ns::X const&)").components,
            (V{"ns", "operator<<"}));
  EXPECT_EQ(split_demangled("ns::X::operator->() const").components, (V{"ns", "X", "operator->"}));
  EXPECT_EQ(split_demangled("ns::X::operator new(unsigned long)").components,
            (V{"ns", "X", "operator new"}));
  EXPECT_EQ(split_demangled("ns::X::operator delete[](void*)").components,
            (V{"ns", "X", "operator delete[]"}));
  EXPECT_EQ(split_demangled("ns::X::operator std::basic_string<char>() const").components,
            (V{"ns", "X", "operator std::basic_string<char>"}));
  EXPECT_EQ(split_demangled("bool ns::operator< <int>(ns::Y<int> const&, ns::Y<int> const&)").components,
            (V{"ns", "operator< <int>"}));
  EXPECT_EQ(split_demangled("std::string std::operator+<char, std::traits<char> >(char const*, std::string const&)").components,
            (V{"std", "operator+<char, std::traits<char> >"}));
  EXPECT_EQ(split_demangled("bool llvm::operator==<llvm::A, llvm::B>(llvm::A const&)").components,
            (V{"llvm", "operator==<llvm::A, llvm::B>"}));
  EXPECT_EQ(split_demangled("std::string polly::operator+<char [14]>(llvm::Twine, char const (&) [14])").components,
            (V{"polly", "operator+<char [14]>"}));
  EXPECT_EQ(split_demangled("ns::X::operator<<=(int)").components, (V{"ns", "X", "operator<<="}));
  EXPECT_EQ(split_demangled("ns::X::operator[](unsigned long)").components,
            (V{"ns", "X", "operator[]"}));
}

TEST(SymbolNameSplit, AnonymousNamespacesLambdasAndAbiTags) {
  EXPECT_EQ(split_demangled("(anonymous namespace)::helper(int)").components,
            (V{"(anonymous namespace)", "helper"}));
  EXPECT_EQ(split_demangled("ns::f(int)::{lambda(int)#1}::operator()(int) const").components,
            (V{"ns", "f(int)", "{lambda(int)#1}", "operator()"}));
  EXPECT_EQ(split_demangled("ns::name[abi:cxx11]()").components, (V{"ns", "name[abi:cxx11]"}));
}

TEST(SymbolNameSplit, ClonesAndThunksAreSecondary) {
  auto c = split_demangled("ns::f(int) [clone .constprop.0]");
  EXPECT_EQ(c.components, (V{"ns", "f"}));
  EXPECT_EQ(c.signature, "(int)");
  EXPECT_TRUE(c.secondary);
  EXPECT_TRUE(split_demangled("ns::f(int) [clone .isra.0] [clone .cold]").secondary);
  auto t = split_demangled("non-virtual thunk to ns::D::f()");
  EXPECT_EQ(t.components, (V{"ns", "D", "f"}));
  EXPECT_TRUE(t.secondary);
}

TEST(SymbolNameSplit, RawNames) {
  std::string dem;
  auto c = split_symbol_name("XGBoosterSetParam", dem);
  EXPECT_EQ(dem, "");
  EXPECT_EQ(c.components, (V{"XGBoosterSetParam"}));
  EXPECT_FALSE(c.secondary);
  EXPECT_TRUE(split_symbol_name("foo.cold", dem).secondary);
  EXPECT_TRUE(split_symbol_name("foo.constprop.0", dem).secondary);

  auto m = split_symbol_name("_ZN12bpfpads_test6shapes6Circle5scaleEd", dem);
  EXPECT_EQ(dem, "bpfpads_test::shapes::Circle::scale(double)");
  EXPECT_EQ(m.components, (V{"bpfpads_test", "shapes", "Circle", "scale"}));
  EXPECT_EQ(m.signature, "(double)");
  auto cl = split_symbol_name("_ZN2ns1fEi.constprop.0", dem);
  EXPECT_EQ(cl.components, (V{"ns", "f"}));
  EXPECT_TRUE(cl.secondary);
  // Not a valid mangling: kept as a plain name.
  EXPECT_EQ(split_symbol_name("_Zgarbage", dem).components, (V{"_Zgarbage"}));
}

}  // namespace
}  // namespace bpfpads
