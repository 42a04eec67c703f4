import { PLUGIN_KINDS } from '@aminator/core/internal';
import { describePluginConformance, fakePluginModules } from '../src/index.js';

// The fakes are plugins too: they must pass the suite every plugin runs.
for (const kind of PLUGIN_KINDS) {
  describePluginConformance(fakePluginModules[kind], { config: { delayMs: 0 }, invalidConfigs: [{ delayMs: -1 }, { unknown: true }] });
}
