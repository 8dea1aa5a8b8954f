package dev.allinone.engine.actuator;

import dev.allinone.engine.LocalEngine;
import dev.allinone.engine.cpu.CompiledKernelsCheck;
import dev.allinone.engine.kvcache.KvCacheStats;
import dev.allinone.engine.kvcache.ModelMemory;
import dev.allinone.engine.quality.QualityReport;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The engine in {@code /actuator/info}: the model, its weights and kernels, whether the vector kernels run
 * compiled (and how fast), and the memory budget.
 */
public class EngineInfoContributor implements InfoContributor {

    private final LocalEngine engine;

    public EngineInfoContributor(LocalEngine engine) {
        this.engine = engine;
    }

    @Override
    public void contribute(Info.Builder builder) {
        Map<String, Object> info = new LinkedHashMap<>();
        info.put("model", engine.modelId());
        info.put("ready", engine.isReady());
        if (engine.isReady()) {
            info.put("weights", engine.weightType());
            info.put("weightsQuality", quality(engine));
            info.put("kernels", engine.kernels());
            info.put("vectorKernels", vectorKernels(engine.kernelCheck()));
            info.put("memory", memory(engine));
        }
        builder.withDetail("engine", info);
    }

    /** The served format's quality report; for BF16, exact; otherwise what is known (see engine.quality). */
    static Object quality(LocalEngine engine) {
        if (engine.weightType().equals("BF16")) {
            return Map.of("format", "BF16", "exact", true);
        }
        return engine.quality().<Object>map(QualityReport::details)
                .orElse(Map.of("format", engine.weightType(), "measured", false));
    }

    static Map<String, Object> vectorKernels(CompiledKernelsCheck.Verdict verdict) {
        Map<String, Object> details = new LinkedHashMap<>();
        if (verdict == null) {
            details.put("compiled", "checking"); // measured in the background just after the model loaded
            return details;
        }
        details.put("compiled", verdict.compiled());
        if (!Double.isNaN(verdict.gflops())) {
            details.put("gflopsOneThread", Math.round(verdict.gflops() * 10) / 10.0);
        }
        verdict.cause().ifPresent(cause -> details.put("cause", cause));
        return details;
    }

    static Map<String, Object> memory(LocalEngine engine) {
        ModelMemory memory = engine.memory();
        KvCacheStats kv = engine.kvCacheStats();
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("budgetBytes", memory.budget());
        details.put("weightsBytes", memory.weights());
        details.put("workingBytes", memory.working());
        details.put("attentionLimitBytes", memory.forAttention());
        details.put("attentionKeptBytes", kv.bytes());
        details.put("attentionRunningBytes", kv.leasedBytes());
        return details;
    }
}
