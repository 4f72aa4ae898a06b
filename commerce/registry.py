"""{kind: connector class}: adding a store = one module + one line here + fixtures + tests."""
from .connectors.nuvemshop import NuvemshopConnector
from .connectors.shopify import ShopifyConnector
from .connectors.vtex import VtexConnector

CONNECTORS = {connector.kind: connector for connector in (ShopifyConnector, VtexConnector, NuvemshopConnector)}


def connector_for(store):
    return CONNECTORS[store.kind](store)
