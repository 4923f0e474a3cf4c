//! Shroud example contract `v010_token` (CosmWasm v0.10 / secret-cosmwasm-std 0.10.1): the legacy
//! init/handle/query interface, with encrypted and plaintext log attributes, a message to another contract
//! carrying `callback_code_hash`, a bank send from the contract, and errors as v0.10 StdError JSON.

pub mod contract;
pub mod msg;

#[cfg(target_arch = "wasm32")]
cosmwasm_std::create_entry_points!(contract);
