//! Storage of the `snip20` contract. Secret offers no iteration over (encrypted) state (spec secret-protocol
//! §6.3), so every list keeps its own index: a per-account counter plus one key per history entry.

use cosmwasm_std::{from_slice, to_vec, CanonicalAddr, StdError, StdResult, Storage};
use serde::{Deserialize, Serialize};

use crate::msg::Tx;

const KEY_CONFIG: &[u8] = b"config";
const KEY_TX_COUNT: &[u8] = b"tx_count";
const PREFIX_BALANCE: &[u8] = b"bal:";
const PREFIX_ALLOWANCE: &[u8] = b"allow:";
const PREFIX_VIEWING_KEY: &[u8] = b"vk:";
const PREFIX_RECEIVER: &[u8] = b"rcv:";
const PREFIX_HISTORY_LEN: &[u8] = b"hlen:";
const PREFIX_HISTORY: &[u8] = b"hist:";
const PREFIX_REVOKED: &[u8] = b"rvk:";

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Config {
    pub name: String,
    pub symbol: String,
    pub decimals: u8,
    pub total_supply: u128,
    /// sha256 chain of the instantiate seed and every viewing-key entropy (never revealed).
    pub prng_seed: Vec<u8>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, Default)]
pub struct Allowance {
    pub amount: u128,
    pub expiration: Option<u64>,
}

fn key(prefix: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let mut out = prefix.to_vec();
    for part in parts {
        // Length-prefix each variable part so (a, bc) and (ab, c) never collide.
        out.push(u8::try_from(part.len()).unwrap_or(u8::MAX));
        out.extend_from_slice(part);
    }
    out
}

fn load<T: for<'de> Deserialize<'de>>(storage: &dyn Storage, k: &[u8]) -> StdResult<Option<T>> {
    storage.get(k).map(|raw| from_slice(&raw)).transpose()
}

pub fn load_config(storage: &dyn Storage) -> StdResult<Config> {
    load(storage, KEY_CONFIG)?.ok_or_else(|| StdError::not_found("config"))
}

pub fn save_config(storage: &mut dyn Storage, config: &Config) -> StdResult<()> {
    storage.set(KEY_CONFIG, &to_vec(config)?);
    Ok(())
}

pub fn balance(storage: &dyn Storage, account: &CanonicalAddr) -> u128 {
    match storage.get(&key(PREFIX_BALANCE, &[account.as_slice()])) {
        Some(raw) => raw.as_slice().try_into().map(u128::from_be_bytes).unwrap_or(0),
        None => 0,
    }
}

pub fn set_balance(storage: &mut dyn Storage, account: &CanonicalAddr, amount: u128) {
    storage.set(&key(PREFIX_BALANCE, &[account.as_slice()]), &amount.to_be_bytes());
}

pub fn allowance(storage: &dyn Storage, owner: &CanonicalAddr, spender: &CanonicalAddr) -> StdResult<Allowance> {
    Ok(load(storage, &key(PREFIX_ALLOWANCE, &[owner.as_slice(), spender.as_slice()]))?.unwrap_or_default())
}

pub fn set_allowance(
    storage: &mut dyn Storage,
    owner: &CanonicalAddr,
    spender: &CanonicalAddr,
    allowance: &Allowance,
) -> StdResult<()> {
    storage.set(&key(PREFIX_ALLOWANCE, &[owner.as_slice(), spender.as_slice()]), &to_vec(allowance)?);
    Ok(())
}

/// Stores sha256(viewing key), never the key itself.
pub fn set_viewing_key_hash(storage: &mut dyn Storage, account: &CanonicalAddr, hash: &[u8; 32]) {
    storage.set(&key(PREFIX_VIEWING_KEY, &[account.as_slice()]), hash);
}

pub fn viewing_key_hash(storage: &dyn Storage, account: &CanonicalAddr) -> Option<Vec<u8>> {
    storage.get(&key(PREFIX_VIEWING_KEY, &[account.as_slice()]))
}

pub fn set_receiver_hash(storage: &mut dyn Storage, account: &CanonicalAddr, code_hash: &str) {
    storage.set(&key(PREFIX_RECEIVER, &[account.as_slice()]), code_hash.as_bytes());
}

pub fn receiver_hash(storage: &dyn Storage, account: &CanonicalAddr) -> Option<String> {
    storage.get(&key(PREFIX_RECEIVER, &[account.as_slice()])).and_then(|raw| String::from_utf8(raw).ok())
}

pub fn revoke_permit(storage: &mut dyn Storage, account: &CanonicalAddr, permit_name: &str) {
    storage.set(&key(PREFIX_REVOKED, &[account.as_slice(), permit_name.as_bytes()]), &[1]);
}

pub fn is_permit_revoked(storage: &dyn Storage, account: &CanonicalAddr, permit_name: &str) -> bool {
    storage.get(&key(PREFIX_REVOKED, &[account.as_slice(), permit_name.as_bytes()])).is_some()
}

/// Allocates the next global transaction id.
pub fn next_tx_id(storage: &mut dyn Storage) -> StdResult<u64> {
    let id = load::<u64>(storage, KEY_TX_COUNT)?.unwrap_or(0) + 1;
    storage.set(KEY_TX_COUNT, &to_vec(&id)?);
    Ok(id)
}

pub fn history_len(storage: &dyn Storage, account: &CanonicalAddr) -> StdResult<u64> {
    Ok(load(storage, &key(PREFIX_HISTORY_LEN, &[account.as_slice()]))?.unwrap_or(0))
}

pub fn append_history(storage: &mut dyn Storage, account: &CanonicalAddr, tx: &Tx) -> StdResult<()> {
    let len = history_len(storage, account)?;
    storage.set(&key(PREFIX_HISTORY, &[account.as_slice(), &len.to_be_bytes()]), &to_vec(tx)?);
    storage.set(&key(PREFIX_HISTORY_LEN, &[account.as_slice()]), &to_vec(&(len + 1))?);
    Ok(())
}

/// Newest first: page 0 holds the last `page_size` entries.
pub fn history_page(storage: &dyn Storage, account: &CanonicalAddr, page: u32, page_size: u32) -> StdResult<Vec<Tx>> {
    let len = history_len(storage, account)?;
    let skip = u64::from(page).saturating_mul(u64::from(page_size));
    let mut out = Vec::new();
    let mut index = len.saturating_sub(skip);
    while index > 0 && out.len() < page_size as usize {
        index -= 1;
        let entry = load(storage, &key(PREFIX_HISTORY, &[account.as_slice(), &index.to_be_bytes()]))?
            .ok_or_else(|| StdError::not_found("history entry"))?;
        out.push(entry);
    }
    Ok(out)
}
