//! Moving tokens: transfer, send (with the SNIP-20 `Receive` callback), allowances and their `*_from` forms.
//! Every movement is appended to both parties' histories.

use cosmwasm_std::{
    to_binary, Addr, Binary, CanonicalAddr, CosmosMsg, DepsMut, Env, MessageInfo, Response, StdError, StdResult,
    Uint128, WasmMsg,
};

use crate::msg::{ReceiverMsg, Tx, TxCoin};
use crate::state;

fn canonical(deps: &DepsMut, address: &str) -> StdResult<(Addr, CanonicalAddr)> {
    let addr = deps.api.addr_validate(address)?;
    let canonical = deps.api.addr_canonicalize(addr.as_str())?;
    Ok((addr, canonical))
}

/// Debits `from`, credits `to` and records the move; `sender` is who signed (differs from `from` for *_from).
fn move_tokens(
    deps: &mut DepsMut,
    env: &Env,
    sender: &Addr,
    from: &(Addr, CanonicalAddr),
    to: &(Addr, CanonicalAddr),
    amount: u128,
    memo: Option<String>,
) -> StdResult<()> {
    let balance = state::balance(deps.storage, &from.1);
    let left = balance.checked_sub(amount).ok_or_else(|| {
        StdError::generic_err(format!("insufficient funds: balance={}, required={}", balance, amount))
    })?;
    state::set_balance(deps.storage, &from.1, left);
    let credited =
        state::balance(deps.storage, &to.1).checked_add(amount).ok_or_else(|| StdError::generic_err("overflow"))?;
    state::set_balance(deps.storage, &to.1, credited);

    let config = state::load_config(deps.storage)?;
    let tx = Tx {
        id: state::next_tx_id(deps.storage)?,
        from: from.0.clone(),
        sender: sender.clone(),
        receiver: to.0.clone(),
        coins: TxCoin { denom: config.symbol, amount: Uint128::new(amount) },
        memo,
        block_time: env.block.time.seconds(),
        block_height: env.block.height,
    };
    state::append_history(deps.storage, &from.1, &tx)?;
    if from.1 != to.1 {
        state::append_history(deps.storage, &to.1, &tx)?;
    }
    Ok(())
}

pub fn transfer(
    mut deps: DepsMut,
    env: &Env,
    info: &MessageInfo,
    recipient: String,
    amount: Uint128,
    memo: Option<String>,
) -> StdResult<()> {
    let from = canonical(&deps, info.sender.as_str())?;
    let to = canonical(&deps, &recipient)?;
    move_tokens(&mut deps, env, &info.sender, &from, &to, amount.u128(), memo)
}

/// Spends `amount` of `owner`'s allowance to the sender (fails when expired or too small).
fn use_allowance(deps: &mut DepsMut, env: &Env, owner: &CanonicalAddr, spender: &CanonicalAddr, amount: u128) -> StdResult<()> {
    let mut allowance = state::allowance(deps.storage, owner, spender)?;
    if let Some(expiration) = allowance.expiration {
        if env.block.time.seconds() >= expiration {
            return Err(StdError::generic_err("insufficient allowance: allowance has expired"));
        }
    }
    allowance.amount = allowance.amount.checked_sub(amount).ok_or_else(|| {
        StdError::generic_err(format!("insufficient allowance: allowance={}, required={}", allowance.amount, amount))
    })?;
    state::set_allowance(deps.storage, owner, spender, &allowance)
}

pub fn transfer_from(
    mut deps: DepsMut,
    env: &Env,
    info: &MessageInfo,
    owner: String,
    recipient: String,
    amount: Uint128,
    memo: Option<String>,
) -> StdResult<()> {
    let spender = canonical(&deps, info.sender.as_str())?;
    let from = canonical(&deps, &owner)?;
    let to = canonical(&deps, &recipient)?;
    use_allowance(&mut deps, env, &from.1, &spender.1, amount.u128())?;
    move_tokens(&mut deps, env, &info.sender, &from, &to, amount.u128(), memo)
}

/// `send` / `send_from`: a transfer plus, when the recipient is a contract that registered (or the caller named)
/// a code hash, a `Receive` sub-message to it. The callee's failure reverts the whole send.
#[allow(clippy::too_many_arguments)]
pub fn send(
    mut deps: DepsMut,
    env: &Env,
    info: &MessageInfo,
    owner: Option<String>,
    recipient: String,
    recipient_code_hash: Option<String>,
    amount: Uint128,
    msg: Option<Binary>,
    memo: Option<String>,
) -> StdResult<Response> {
    let sender = canonical(&deps, info.sender.as_str())?;
    let from = match owner {
        Some(owner) => {
            let from = canonical(&deps, &owner)?;
            use_allowance(&mut deps, env, &from.1, &sender.1, amount.u128())?;
            from
        }
        None => sender,
    };
    let to = canonical(&deps, &recipient)?;
    move_tokens(&mut deps, env, &info.sender, &from, &to, amount.u128(), memo.clone())?;

    let code_hash = recipient_code_hash.or_else(|| state::receiver_hash(deps.storage, &to.1));
    let mut response = Response::new();
    if let Some(code_hash) = code_hash {
        let receive = ReceiverMsg::Receive { sender: info.sender.clone(), from: from.0, amount, memo, msg };
        response = response.add_message(CosmosMsg::Wasm(WasmMsg::Execute {
            contract_addr: to.0.into_string(),
            code_hash,
            msg: to_binary(&receive)?,
            funds: vec![],
        }));
    }
    Ok(response)
}

/// Increases or decreases (saturating at zero) the sender's allowance to `spender`; returns the new amount.
pub fn change_allowance(
    deps: DepsMut,
    info: &MessageInfo,
    spender: String,
    amount: Uint128,
    expiration: Option<u64>,
    increase: bool,
) -> StdResult<(Addr, Addr, Uint128)> {
    let owner = canonical(&deps, info.sender.as_str())?;
    let spender = canonical(&deps, &spender)?;
    let mut allowance = state::allowance(deps.storage, &owner.1, &spender.1)?;
    allowance.amount = if increase {
        allowance.amount.saturating_add(amount.u128())
    } else {
        allowance.amount.saturating_sub(amount.u128())
    };
    if expiration.is_some() {
        allowance.expiration = expiration;
    }
    state::set_allowance(deps.storage, &owner.1, &spender.1, &allowance)?;
    Ok((owner.0, spender.0, Uint128::new(allowance.amount)))
}
