package flinkfixtures;

import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;

/** 1.x: a keyed state reader registers its states in {@code open(Configuration)}. */
abstract class StateReaderBase<K, OUT> extends KeyedStateReaderFunction<K, OUT> {
    @Override
    public void open(Configuration parameters) throws Exception {
        register();
    }

    abstract void register() throws Exception;
}
