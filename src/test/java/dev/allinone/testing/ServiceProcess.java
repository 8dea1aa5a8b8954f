package dev.allinone.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A process of its own (a JVM started like a user starts one, or {@code ./mvnw spring-boot:run}), with its output
 * in a file and its port known; killed with everything it started when closed.
 */
public final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** A free port on the loopback interface. */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The java command of this JVM with {@code jvmFlags}, the test class path and {@code mainClass}. */
    public static List<String> java(List<String> jvmFlags, String mainClass, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        return command;
    }

    /** Starts {@code command} in the project's directory, its output to a log under {@code target/}. */
    public static ServiceProcess start(List<String> command, int port) {
        try {
            Path logs = Files.createDirectories(Path.of("target", "process-logs"));
            Path log = Files.createTempFile(logs, "process-", ".log");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            return new ServiceProcess(process, log, port);
        } catch (IOException e) {
            throw new IllegalStateException("Cannot start " + command, e);
        }
    }

    public int port() {
        return port;
    }

    public Http http() {
        return new Http(port);
    }

    public Process process() {
        return process;
    }

    /** What it printed so far. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "(no output: " + e + ")";
        }
    }

    /** Waits until readiness answers 200; fails with the output if the process ends or the time runs out. */
    public ServiceProcess awaitReady(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Http http = http();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("The process ended (exit " + process.exitValue() + "):\n" + output());
            }
            try {
                if (http.get("/actuator/health/readiness").status() == 200) {
                    return this;
                }
            } catch (RuntimeException notListening) {
                // not yet
            }
            Thread.sleep(200);
        }
        throw new AssertionError("Not ready within " + timeout + ":\n" + output());
    }

    /** Waits for the process to end by itself; its exit value. */
    public int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
            throw new AssertionError("Still running after " + timeout + ":\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
            if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
