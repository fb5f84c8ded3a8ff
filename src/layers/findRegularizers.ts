import type { LayersModel, layers } from '@tensorflow/tfjs-layers';
import { SpectralRegularizer } from './SpectralRegularizer';

type AnyLayer = InstanceType<typeof layers.Layer>;

/** Every SpectralRegularizer in a model, nested models included, in layer order. */
export function findRegularizers(model: { layers: AnyLayer[] }): SpectralRegularizer[] {
  const found: SpectralRegularizer[] = [];
  for (const layer of model.layers) {
    if (layer instanceof SpectralRegularizer) found.push(layer);
    else if (Array.isArray((layer as unknown as LayersModel).layers)) found.push(...findRegularizers(layer as unknown as LayersModel));
  }
  return found;
}
