package dev.allinone.launch;

import dev.allinone.AllInOneApplication;
import dev.allinone.engine.cpu.CompiledKernelsCheck;
import dev.allinone.testing.ServiceProcess;
import dev.allinone.testing.TestModels;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the engine checks about the JVM it was started in, each time in a JVM started the wrong way: the Vector
 * API module missing is one clear startup failure that names the flag, and kernels that will not be compiled are
 * found and named at startup.
 */
class StartupChecksTest {

    @Test
    void withoutTheVectorApiModuleStartupFailsOnceAndNamesTheFlag() throws Exception {
        int port = ServiceProcess.freePort();
        List<String> command = ServiceProcess.java(List.of("-Xmx512m"), AllInOneApplication.class.getName(), List.of(
                "--server.port=" + port, "--allinone.model.offline=true", "--allinone.model.models-dir=" + TestModels.tiny(),
                "--allinone.conversations.store=memory"));
        try (ServiceProcess service = ServiceProcess.start(command, port)) {
            assertThat(service.awaitExit(Duration.ofMinutes(2))).isNotZero();
            String output = service.output();
            assertThat(output).contains("APPLICATION FAILED TO START", "--add-modules jdk.incubator.vector");
            assertThat(output).doesNotContain("NoClassDefFoundError", "\tat dev.allinone");
        }
    }

    @Test
    void inThisJvmTheKernelsRunCompiled() {
        CompiledKernelsCheck.Verdict verdict = CompiledKernelsCheck.run();
        assertThat(verdict.compiled()).as(verdict.toString()).isTrue();
        assertThat(verdict.cause()).isEmpty();
    }

    @Test
    void aJvmThatStopsAtC1IsFoundAndTheCauseNamed() throws Exception {
        List<String> command = ServiceProcess.java(List.of("--add-modules", "jdk.incubator.vector",
                "-XX:TieredStopAtLevel=1"), Verdict.class.getName(), List.of());
        try (ServiceProcess check = ServiceProcess.start(command, 0)) {
            assertThat(check.awaitExit(Duration.ofMinutes(1))).isZero();
            String output = check.output();
            assertThat(output).contains("compiled=false", "TieredStopAtLevel=1", "optimizedLaunch");
        }
    }

    /** Prints the check's verdict, in a JVM of the test's choosing. */
    public static final class Verdict {
        public static void main(String[] args) {
            System.out.println(CompiledKernelsCheck.run());
        }
    }
}
