package dev.ferry.worker.jit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ferry.worker.jit.OptimisingCompilerScope.Scope;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OptimisingCompilerScopeTest {
    @Test
    void keepsTheJvmsDefaultUnlessToldToLimitC2ToTheDigests() {
        assertThat(OptimisingCompilerScope.scope(Map.of())).isEqualTo(Scope.ALL);
        assertThat(OptimisingCompilerScope.scope(Map.of(OptimisingCompilerScope.ENV, ""))).isEqualTo(Scope.ALL);
        assertThat(OptimisingCompilerScope.scope(Map.of(OptimisingCompilerScope.ENV, " Digests "))).isEqualTo(Scope.DIGESTS);
        assertThat(OptimisingCompilerScope.scope(Map.of(OptimisingCompilerScope.ENV, "all"))).isEqualTo(Scope.ALL);
    }

    @Test
    void refusesAnUnknownScopeSayingWhatItTakes() {
        assertThatThrownBy(() -> OptimisingCompilerScope.scope(Map.of(OptimisingCompilerScope.ENV, "c1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("FERRY_WORKER_C2 must be 'digests' or 'all', not 'c1'");
    }

    /** The directives reach this JVM, digests first: the first directive that matches a method decides. */
    @Test
    void theJvmTakesTheDirectivesWithTheDigestsBeforeEverythingElse() throws Exception {
        assertThat(OptimisingCompilerScope.apply(Scope.DIGESTS)).isTrue();

        String printed = OptimisingCompilerScope.printed();
        int digests = printed.indexOf("matching: sun/security/provider/*.*");
        int everything = printed.indexOf("matching: *.*", digests);
        assertThat(digests).as(printed).isNotNegative();
        assertThat(everything).as(printed).isGreaterThan(digests);
        String rest = printed.substring(everything);
        int next = rest.indexOf("Directive:");
        String everythingElse = next < 0 ? rest : rest.substring(0, next);
        assertThat(everythingElse.substring(everythingElse.indexOf("c2 directives:"))).contains("Exclude:true");
        String digestsDirective = printed.substring(digests, everything);
        assertThat(digestsDirective.substring(digestsDirective.indexOf("c2 directives:"))).contains("Exclude:false");
    }

    @Test
    void allLeavesTheJvmAsItIs() throws Exception {
        String before = OptimisingCompilerScope.printed();

        assertThat(OptimisingCompilerScope.apply(Scope.ALL)).isFalse();

        assertThat(OptimisingCompilerScope.printed()).isEqualTo(before);
    }
}
