package flinkfixtures;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;

/** 2.x: a keyed state reader registers its states in {@code open(OpenContext)}. */
abstract class StateReaderBase<K, OUT> extends KeyedStateReaderFunction<K, OUT> {
    @Override
    public void open(OpenContext context) throws Exception {
        register();
    }

    abstract void register() throws Exception;
}
