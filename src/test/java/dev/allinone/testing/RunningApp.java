package dev.allinone.testing;

import dev.allinone.AllInOneApplication;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.context.WebServerInitializedEvent;
import org.springframework.context.ConfigurableApplicationContext;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The allinone service started in this JVM on a free port, on the tiny generated checkpoint, as its users start
 * it (command-line arguments over the built-in settings); for tests that stop and start it, or run several.
 */
public final class RunningApp implements AutoCloseable {

    private final ConfigurableApplicationContext context;
    private final int port;

    private RunningApp(ConfigurableApplicationContext context, int port) {
        this.context = context;
        this.port = port;
    }

    /** Starts the service with these settings ({@code name=value}) besides the test model's. */
    public static RunningApp start(String... settings) {
        SpringApplication app = new SpringApplication(AllInOneApplication.class);
        CompletableFuture<Integer> port = new CompletableFuture<>();
        app.addListeners(event -> {
            if (event instanceof WebServerInitializedEvent started) {
                port.complete(started.getWebServer().getPort());
            }
        });
        // A setting given here replaces the default of the same name (a repeated command-line option would be a list).
        java.util.Map<String, String> args = new java.util.LinkedHashMap<>();
        for (String setting : List.of("server.port=0", "allinone.model.offline=true",
                "allinone.model.models-dir=" + TestModels.tiny(), "allinone.engine.max-new-tokens=8",
                "spring.lifecycle.timeout-per-shutdown-phase=5s")) {
            args.put(setting.substring(0, setting.indexOf('=')), setting);
        }
        for (String setting : settings) {
            args.put(setting.substring(0, setting.indexOf('=')), setting);
        }
        ConfigurableApplicationContext context = app.run(args.values().stream().map(a -> "--" + a).toArray(String[]::new));
        try {
            return new RunningApp(context, port.get(10, TimeUnit.SECONDS));
        } catch (Exception e) {
            context.close();
            throw new IllegalStateException("The application did not report its port", e);
        }
    }

    public int port() {
        return port;
    }

    public Http http() {
        return new Http(port);
    }

    public <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
