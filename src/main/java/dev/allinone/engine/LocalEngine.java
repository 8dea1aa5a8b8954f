package dev.allinone.engine;

import dev.allinone.engine.api.ChoiceResult;
import dev.allinone.engine.api.DeadlineExceededException;
import dev.allinone.engine.api.EngineBusyException;
import dev.allinone.engine.api.EngineObserver;
import dev.allinone.engine.api.EngineSetupException;
import dev.allinone.engine.api.GenerationResult;
import dev.allinone.engine.api.GenerationSettings;
import dev.allinone.engine.api.ModelNotReadyException;
import dev.allinone.engine.api.PromptTooLongException;
import dev.allinone.engine.api.TokenListener;
import dev.allinone.engine.cpu.CompiledKernelsCheck;
import dev.allinone.engine.generation.ChoiceScorer;
import dev.allinone.engine.generation.GeneratedAnswers;
import dev.allinone.engine.generation.GenerationDefaults;
import dev.allinone.engine.generation.TextGenerator;
import dev.allinone.engine.kvcache.KvCachePool;
import dev.allinone.engine.kvcache.KvCacheStats;
import dev.allinone.engine.kvcache.ModelMemory;
import dev.allinone.engine.kvcache.SystemPrefixes;
import dev.allinone.engine.quality.QualityReport;
import dev.allinone.engine.scheduling.InferenceWorker;
import dev.allinone.engine.scheduling.RequestControl;
import dev.allinone.engine.text.HfTokenizer;
import dev.allinone.engine.text.PromptEncoder;
import dev.allinone.engine.transformer.Transformer;
import dev.allinone.engine.transformer.TransformerFactory;
import dev.allinone.model.ModelDirectory;
import dev.allinone.model.ModelProperties;
import dev.allinone.model.ModelResolver;
import dev.allinone.model.ModelStatus;
import dev.allinone.model.ModelUnavailableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.LivenessState;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * The model, loaded once and shared by every chat model bean: it tokenizes prompts on the caller's thread and
 * hands the model work to the single {@link InferenceWorker}.
 *
 * <p>Finding and loading the model begins as soon as the bean exists, on a thread of its own, while the rest of
 * the application starts. As a {@link SmartLifecycle} it waits for it after the web server has started and
 * before the application reports itself ready: during a download or load, requests are answered (with "not
 * ready") and readiness is down; if the model cannot be had, startup fails with a clear message.
 */
public class LocalEngine implements SmartLifecycle, InitializingBean, DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LocalEngine.class);

    /**
     * After the web server starts (Boot's phase {@code DEFAULT_PHASE - 2048}) and before graceful shutdown
     * ({@code DEFAULT_PHASE - 1024}) lets in-flight requests finish, so they finish on a loaded model.
     */
    public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 1536;

    /** Answers whose tokens are remembered for the next turn (about 1 KB each). */
    private static final int REMEMBERED_ANSWERS = 4096;

    private record Loaded(ModelDirectory directory, HfTokenizer tokenizer, PromptEncoder prompts,
                          GenerationDefaults defaults, Transformer transformer, InferenceWorker worker,
                          TextGenerator generator, KvCachePool kvCaches, SystemPrefixes systemPrefixes,
                          GeneratedAnswers answers, ModelMemory memory, ChoiceScorer.Plans choicePlans) {
    }

    private final ModelProperties properties;
    private final EngineProperties engineProperties;
    private final ModelResolver resolver;
    private final ModelStatus status;
    private final TransformerFactory transformers;
    private final EngineObserver observer;
    private final Duration shutdownGrace;
    /** What finding and loading the model gave, begun early (see {@link #afterPropertiesSet}). */
    private record Opened(Loaded loaded, long beganNanos) {
    }

    private volatile CompletableFuture<Opened> opening;
    private volatile Loaded loaded;
    private volatile CompiledKernelsCheck.Verdict kernelCheck;
    private volatile boolean running;
    private ApplicationEventPublisher events;

    public LocalEngine(ModelProperties properties, EngineProperties engineProperties, ModelResolver resolver,
                       ModelStatus status, TransformerFactory transformers, EngineObserver observer, Duration shutdownGrace) {
        this.properties = properties;
        this.engineProperties = engineProperties;
        this.resolver = resolver;
        this.status = status;
        this.transformers = transformers;
        this.observer = observer;
        this.shutdownGrace = shutdownGrace;
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------

    /** To tell Spring Boot's availability probes that the process is alive while the model loads. */
    @Autowired(required = false)
    public void setEventPublisher(ApplicationEventPublisher events) {
        this.events = events;
    }

    /**
     * Begins finding (downloading if need be) and loading the model on a thread of its own as soon as the bean
     * exists, so that it loads while the rest of the application starts; {@link #start} waits for it.
     */
    @Override
    public void afterPropertiesSet() {
        prepare();
    }

    private synchronized void prepare() {
        if (opening == null) {
            opening = CompletableFuture.supplyAsync(this::open,
                    runnable -> Thread.ofPlatform().name("allinone-model-load").daemon().start(runnable));
        }
    }

    private Opened open() {
        long begin = System.nanoTime();
        try {
            ModelDirectory dir = resolver.resolve();
            status.set(ModelStatus.Phase.LOADING, "loading " + dir);
            return new Opened(load(dir), begin);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void start() {
        running = true;
        if (events != null) {
            // Alive, but not ready until refresh ends: a long download must not get the process restarted.
            AvailabilityChangeEvent.publish(events, this, LivenessState.CORRECT);
        }
        prepare();
        try {
            Opened opened;
            try {
                opened = opening.join();
            } catch (CompletionException e) {
                throw e.getCause() instanceof UncheckedIOException io ? io.getCause() : e.getCause();
            }
            loaded = opened.loaded();
            status.set(ModelStatus.Phase.READY, "ready");
            ModelDirectory dir = loaded.directory();
            log.info("Model {} ready in {} s: {}, weights {}, kernels {}, context limit {} tokens; {}",
                    properties.id(), String.format("%.1f", (System.nanoTime() - opened.beganNanos()) / 1e9), dir,
                    weightType(), kernels(), engineProperties.contextLimit(), loaded.memory().summary());
            checkKernels();
            if (dir.isSynthetic()) {
                warnSynthetic(dir);
            }
        } catch (EngineSetupException e) {
            status.set(ModelStatus.Phase.FAILED, e.getMessage());
            throw e;
        } catch (ModelUnavailableException e) {
            status.set(ModelStatus.Phase.FAILED, e.getMessage());
            throw e;
        } catch (Throwable e) {
            status.set(ModelStatus.Phase.FAILED, e.getMessage());
            if (e instanceof Error error) {
                throw error;
            }
            throw new ModelUnavailableException("Loading the model from " + properties.directory() + " failed: " + e,
                    properties.directory().path(), "Check that the directory holds a complete safetensors model of "
                    + "this shape, or delete it to download it again.", e);
        }
    }

    /** The tokenizer and what is read with it: loaded beside the weights (DJL's native library, 7 MB of JSON). */
    private record Text(HfTokenizer tokenizer, PromptEncoder prompts, GenerationDefaults defaults) {
    }

    private Loaded load(ModelDirectory dir) throws IOException {
        CompletableFuture<Text> text = CompletableFuture.supplyAsync(() -> {
            try {
                long begin = System.nanoTime();
                HfTokenizer tokenizer = HfTokenizer.load(dir.path());
                Text loaded = new Text(tokenizer, PromptEncoder.load(tokenizer, dir.path()), GenerationDefaults.load(dir.path(), tokenizer));
                log.debug("Tokenizer and chat template loaded in {} ms", (System.nanoTime() - begin) / 1_000_000);
                return loaded;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, runnable -> Thread.ofPlatform().name("allinone-tokenizer-load").daemon().start(runnable));
        Transformer transformer;
        Text t;
        try {
            transformer = transformers.load(dir.path(), engineProperties.effectiveThreads());
        } catch (RuntimeException | Error e) {
            text.thenAccept(loaded -> loaded.tokenizer().close());
            throw e;
        }
        try {
            t = text.join();
        } catch (CompletionException e) {
            transformer.close();
            if (e.getCause() instanceof UncheckedIOException io) {
                throw io.getCause();
            }
            throw e;
        }
        ModelMemory memory;
        try {
            memory = ModelMemory.plan(engineProperties.memoryBudget().toBytes(), Runtime.getRuntime().maxMemory(),
                    transformer, engineProperties.contextLimit());
        } catch (RuntimeException e) {
            transformer.close();
            t.tokenizer().close();
            throw e;
        }
        KvCachePool kvCaches = new KvCachePool(transformer, memory.forAttention(), engineProperties.kvCacheBudgetBytes());
        InferenceWorker worker = new InferenceWorker(transformer, kvCaches::close, engineProperties.batchPlan(transformer),
                engineProperties.queueCapacity(), engineProperties.queueTimeout(), observer);
        return new Loaded(dir, t.tokenizer(), t.prompts(), t.defaults(), transformer, worker,
                new TextGenerator(t.tokenizer(), t.defaults().endTokens()), kvCaches, new SystemPrefixes(t.prompts()),
                new GeneratedAnswers(REMEMBERED_ANSWERS), memory,
                new ChoiceScorer.Plans(t.tokenizer(), t.defaults().endOfTurnToken()));
    }

    /**
     * Fails when the JVM lacks the Vector API module, which every kernel needs: one clear startup failure that
     * names the flag, instead of a {@link NoClassDefFoundError} from the first model call.
     */
    static void requireVectorApi() {
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            throw new EngineSetupException("allinone runs its model on the JDK's Vector API (module jdk.incubator.vector), "
                    + "and this JVM was started without it.",
                    "Start the JVM with --add-modules jdk.incubator.vector (also --enable-native-access=ALL-UNNAMED for "
                    + "the tokenizer's native code): java --add-modules jdk.incubator.vector -jar app.jar; with Maven, "
                    + "in spring-boot-maven-plugin's <jvmArguments> and surefire's <argLine>; with Gradle, in "
                    + "applicationDefaultJvmArgs and the test task's jvmArgs.");
        }
    }

    /**
     * Whether the vector kernels run compiled: the JVM's flags at once (the known causes), the timed product in the
     * background, so that startup (both cores busy with Spring and the JIT) does not wait for it and it does not
     * slow startup down. The verdict is logged, with one loud warning when they do not.
     */
    private void checkKernels() {
        Optional<String> flags = CompiledKernelsCheck.flagCause();
        if (flags.isPresent()) {
            kernelCheck = new CompiledKernelsCheck.Verdict(false, Double.NaN, flags);
            warnUncompiled(kernelCheck);
        }
        Thread.ofPlatform().name("allinone-kernel-check").daemon().start(() -> {
            CompiledKernelsCheck.Verdict verdict = CompiledKernelsCheck.run();
            kernelCheck = verdict;
            if (verdict.compiled()) {
                log.info("Vector kernels {}", verdict.summary());
            } else if (flags.isEmpty()) {
                warnUncompiled(verdict);
            }
        });
    }

    private static void warnUncompiled(CompiledKernelsCheck.Verdict verdict) {
        String line = "!".repeat(100);
        log.warn("\n{}\n!  SLOW: the model's vector kernels are not compiled: {}.\n"
                + "!  Every answer will take about 100 times longer than it should. Cause: {}.\n{}",
                line, verdict.summary(), verdict.cause().orElse("unknown"), line);
    }

    private static void warnSynthetic(ModelDirectory dir) {
        String line = "*".repeat(100);
        log.warn("\n{}\n*  RANDOM WEIGHTS: {} is a synthetic checkpoint (real config and tokenizer, random weights).\n"
                + "*  Everything runs for real, but every answer and every sentiment label is meaningless.\n"
                + "*  Delete the directory to download the real model.\n{}", line, dir, line);
    }

    @Override
    public void stop() {
        Loaded current = loaded;
        loaded = null;
        running = false;
        status.set(ModelStatus.Phase.STOPPED, "stopped");
        CompletableFuture<Opened> pending;
        synchronized (this) {
            pending = opening;
            opening = null;
        }
        if (current != null) {
            close(current);
        } else if (pending != null) {
            pending.thenAccept(abandoned -> close(abandoned.loaded())); // loaded for nobody: freed once it is
        }
    }

    /** A loaded model that is not started at all ends here too (the application failed to start, say). */
    @Override
    public void destroy() {
        if (loaded == null && opening != null) {
            stop();
        }
    }

    private void close(Loaded model) {
        model.worker().close(shutdownGrace);
        model.tokenizer().close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    // ---- use ---------------------------------------------------------------------------------------------

    /**
     * Queues a generation for {@code messages}. The prompt is tokenized and checked here, so a prompt that
     * does not fit fails at once with {@link PromptTooLongException}.
     */
    public CompletableFuture<GenerationResult> generate(List<PromptEncoder.Message> messages, GenerationSettings settings,
                                                        TokenListener listener, RequestControl control) {
        Loaded m = requireLoaded();
        int[] prompt = m.prompts().encode(messages, true, m.answers()::tokensOf);
        int room = engineProperties.contextLimit() - prompt.length;
        if (room < 1) {
            throw new PromptTooLongException(prompt.length, engineProperties.contextLimit());
        }
        int maxNewTokens = Math.min(settings.maxNewTokens(), room);
        if (settings.schema() != null && !settings.orText()) {
            m.generator().checkRoom(settings.schema(), maxNewTokens);
        }
        int systemPrefix = m.systemPrefixes().length(messages, prompt);
        boolean continuation = isContinuation(messages);
        long submitted = System.nanoTime();
        InferenceWorker worker = m.worker();
        return worker.submit(control, t -> {
            // The answer's state is kept: the conversation's next turn extends this prompt and answer.
            KvCachePool.Lease lease = m.kvCaches().acquire(prompt, systemPrefix, true, continuation,
                    prompt.length + maxNewTokens);
            return m.generator().answer(lease.cache(), lease.start(), prompt, settings, maxNewTokens, t.vocabularySize(),
                    listener, () -> control.stop() || worker.closing(), submitted).then(outcome -> {
                        m.kvCaches().release(lease, outcome.inCache(), true);
                        if (outcome.result().finish() == GenerationResult.Finish.CANCELLED && control.expired()) {
                            observer.rejected("deadline");
                            throw new DeadlineExceededException("The request's deadline passed after "
                                    + outcome.result().outputTokens() + " tokens of the answer");
                        }
                        if (outcome.answerTokens() != null) {
                            m.answers().remember(outcome.result().text(), outcome.answerTokens());
                        }
                        observer.generated(outcome.result());
                        return outcome.result();
                    }, () -> m.kvCaches().discard(lease));
        });
    }

    /** Queues a choice among {@code choices} as the answer to {@code messages}. */
    public CompletableFuture<ChoiceResult> choose(List<PromptEncoder.Message> messages, List<String> choices,
                                                  RequestControl control) {
        Loaded m = requireLoaded();
        int[] prompt = m.prompts().encode(messages, true, m.answers()::tokensOf);
        ChoiceScorer.Plan plan = m.choicePlans().of(choices);
        if (prompt.length + plan.longest() > engineProperties.contextLimit()) {
            throw new PromptTooLongException(prompt.length, engineProperties.contextLimit() - plan.longest());
        }
        int systemPrefix = m.systemPrefixes().length(messages, prompt);
        boolean continuation = isContinuation(messages);
        long submitted = System.nanoTime();
        return m.worker().submit(control, t -> {
            // Scoring only reads the prompt's state: a shared prefix is borrowed in place, nothing is kept.
            KvCachePool.Lease lease = m.kvCaches().acquire(prompt, systemPrefix, false, continuation,
                    prompt.length + plan.longest());
            return ChoiceScorer.choose(lease.cache(), lease.start(), prompt, plan, submitted,
                    () -> stopIfNeeded(control, m.worker())).then(result -> {
                        m.kvCaches().release(lease, prompt, false);
                        observer.chose(result);
                        return result;
                    }, () -> m.kvCaches().discard(lease));
        });
    }

    /** Ends a running request whose deadline passed, whose client went away or whose service is shutting down. */
    private void stopIfNeeded(RequestControl control, InferenceWorker worker) {
        if (control.expired()) {
            observer.rejected("deadline");
            throw new DeadlineExceededException("The request's deadline passed while its answers were scored");
        }
        if (control.cancelled()) {
            throw new CancellationException("The request was cancelled");
        }
        if (worker.closing()) {
            throw new EngineBusyException(EngineBusyException.Reason.SHUTTING_DOWN, "The service is shutting down");
        }
    }

    private static boolean isContinuation(List<PromptEncoder.Message> messages) {
        return messages.stream().anyMatch(msg -> msg.role().equals("assistant"));
    }

    /** Tokens in {@code text} as plain text (as in a message). */
    public int countTokens(String text) {
        return tokenize(text).length;
    }

    /** {@code text} as plain text tokens. */
    public int[] tokenize(String text) {
        return requireLoaded().tokenizer().encode(text);
    }

    /** The text of {@code tokens}. */
    public String detokenize(int[] tokens) {
        return requireLoaded().tokenizer().decode(tokens);
    }

    public GenerationDefaults defaults() {
        return requireLoaded().defaults();
    }

    /** The model's id (owner/name), as answers name it. */
    public String modelId() {
        return properties.id();
    }

    /** How the engine runs ({@code allinone.engine.*}). */
    public EngineProperties settings() {
        return engineProperties;
    }

    public ModelStatus.Snapshot status() {
        return status.snapshot();
    }

    public boolean isReady() {
        return loaded != null;
    }

    /** Requests waiting for a place in the batch. */
    public int waiting() {
        Loaded m = loaded;
        return m == null ? 0 : m.worker().waiting();
    }

    /** Requests in the batch now, sharing the model's steps. */
    public int inBatch() {
        Loaded m = loaded;
        return m == null ? 0 : m.worker().active();
    }

    /**
     * KV caches open beyond those the reuse pool keeps: at most one per request in the batch, 0 between
     * requests; anything more is a leak.
     */
    public int kvCachesInUse() {
        Loaded m = loaded;
        return m == null ? 0 : m.worker().openCaches() - m.kvCaches().stats().entries();
    }

    /** What the KV reuse pool did so far and holds now. */
    public KvCacheStats kvCacheStats() {
        Loaded m = loaded;
        return m == null ? KvCacheStats.EMPTY : m.kvCaches().stats();
    }

    /** The matrix kernels in use, as the transformer names them (ours, or Jlama's), for logs and health. */
    public String kernels() {
        return requireLoaded().transformer().kernels();
    }

    /** Whether the vector kernels run compiled, and how fast; null until that is known (shortly after loading). */
    public CompiledKernelsCheck.Verdict kernelCheck() {
        return kernelCheck;
    }

    /** The memory budget and what it holds. */
    public ModelMemory memory() {
        return requireLoaded().memory();
    }

    /** The weights' type in memory (BF16, Q4, ...). */
    public String weightType() {
        return requireLoaded().transformer().weightType();
    }

    /** What the served weight format costs against the checkpoint's BF16 weights, when it was measured. */
    public Optional<QualityReport> quality() {
        return requireLoaded().transformer().quality();
    }

    private Loaded requireLoaded() {
        Loaded m = loaded;
        if (m == null) {
            ModelStatus.Snapshot s = status.snapshot();
            String detail = s.percent() >= 0 ? String.format("%s, %.0f%%", s.detail(), s.percent()) : s.detail();
            throw new ModelNotReadyException("The model is not ready yet (" + s.phase().name().toLowerCase() + ": "
                    + detail + ")");
        }
        return m;
    }
}
